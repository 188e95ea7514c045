/**
 * The hard cases' messages (test/support/hard-cases.ts) in headless chromium, images
 * inlined as a mail client shows them: at 600 and 375 px, light and dark, and at 375 px
 * with every <style> removed (clients without style support), none scrolls sideways and
 * every image loads; a missing dataset is named on the first screen. Screenshots of each go
 * to `test-artifacts/email-<case>-<recipient>-<view>.png` for a human to look at.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createResvgRasterizer } from '../../src/adapters/charts/resvg-rasterizer';
import { loadTemplateFiles } from '../../src/adapters/local/template-folder';
import { compileEmailTemplates } from '../../src/core/report/templates/email-templates';
import {
  expectAllImagesLoaded,
  expectNoHorizontalOverflow,
  inlineCidImages,
  installChecks,
  startBrowser,
  withoutStyles,
} from '../support/browser-checks';
import { removeDataRoots } from '../support/export-fixtures';
import { type DeliveredCase, deliverHardCase, HARD_CASES, type HardCase } from '../support/hard-cases';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');
/** The first screen of a phone (iPhone SE) and of a desktop client's reading pane. */
const FIRST_SCREEN = { phone: { width: 375, height: 667 }, desktop: { width: 600, height: 900 } } as const;

interface View {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly colorScheme: 'light' | 'dark';
  readonly styles: boolean;
}

const VIEWS: readonly View[] = [
  { name: '600-light', ...FIRST_SCREEN.desktop, colorScheme: 'light', styles: true },
  { name: '600-dark', ...FIRST_SCREEN.desktop, colorScheme: 'dark', styles: true },
  { name: '375-light', ...FIRST_SCREEN.phone, colorScheme: 'light', styles: true },
  { name: '375-dark', ...FIRST_SCREEN.phone, colorScheme: 'dark', styles: true },
  { name: '375-no-style', ...FIRST_SCREEN.phone, colorScheme: 'light', styles: false },
];

let browser: Browser | undefined;
// Rethrown by every test, so a missing chromium fails each of them, never skips.
let launchError: unknown;
const contexts: BrowserContext[] = [];
const delivered = new Map<HardCase, DeliveredCase>();

beforeAll(async () => {
  ({ browser, launchError } = await startBrowser());
  await mkdir(ARTIFACTS, { recursive: true });
  const rendering = {
    templates: compileEmailTemplates(await loadTemplateFiles()),
    rasterizer: await createResvgRasterizer(),
  };
  for (const name of HARD_CASES) delivered.set(name, await deliverHardCase(name, rendering));
}, 240_000);

afterAll(async () => {
  for (const context of contexts.splice(0)) await context.close();
  await browser?.close();
  await removeDataRoots();
}, 60_000);

/** Closes the pages of a test once it is done: dozens of open contexts slow the machine. */
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

async function show(html: string, view: View): Promise<Page> {
  if (!browser) throw launchError ?? new Error('chromium did not start');
  const context = await browser.newContext({
    viewport: { width: view.width, height: view.height },
    colorScheme: view.colorScheme,
  });
  contexts.push(context);
  const page = await context.newPage();
  await page.setContent(view.styles ? html : withoutStyles(html), { waitUntil: 'load' });
  await installChecks(page);
  return page;
}

function caseOf(name: HardCase): DeliveredCase {
  const found = delivered.get(name);
  if (found === undefined) throw new Error(`the ${name} case was not delivered`);
  return found;
}

describe.each(HARD_CASES)('the %s case in headless chromium', (name) => {
  it.each(VIEWS)('shows every message without sideways scrolling at $name', async (view) => {
    for (const message of caseOf(name).messages) {
      // Arrange
      const { html, missing } = inlineCidImages(message.mail);
      const page = await show(html, view);
      const recipient = message.recipient.address.split('@')[0];

      // Act
      await page.screenshot({
        path: path.join(ARTIFACTS, `email-${name}-${recipient}-${view.name}.png`),
        fullPage: true,
      });

      // Assert
      expect(missing, 'cid links without a matching inline image').toEqual([]);
      if (message.mail.attachments.some((part) => part.cid !== undefined)) await expectAllImagesLoaded(page);
      await expectNoHorizontalOverflow(page);
    }
  });
});

describe('a quarter without surveys.csv', () => {
  it.each(['phone', 'desktop'] as const)(
    'names the missing dataset on the first screen of a %s',
    async (screen) => {
      for (const message of caseOf('no-surveys').messages) {
        // Arrange
        const page = await show(inlineCidImages(message.mail).html, {
          name: screen,
          ...FIRST_SCREEN[screen],
          colorScheme: 'light',
          styles: true,
        });

        // Act
        const banner = page.locator('p.warn', { hasText: 'surveys.csv was not provided for 2026-Q3' });
        const box = await banner.boundingBox();

        // Assert
        expect(box, 'the missing-data banner is shown').not.toBeNull();
        expect((box?.y ?? Number.POSITIVE_INFINITY) + (box?.height ?? 0)).toBeLessThanOrEqual(
          FIRST_SCREEN[screen].height,
        );
      }
    },
  );
});
