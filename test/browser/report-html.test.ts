/**
 * The demo report in a real browser (headless chromium via playwright-core): its message
 * stays under Gmail's ~100 KB clipping limit, the report fits a 600 px and a 375 px screen without
 * horizontal scrolling, keeps readable contrast in light and dark mode, keeps its charts on
 * a light background in dark mode, and describes every chart with numbers in its alt text.
 * The EMEA recipient's actual message (from the outbox `.eml`, images inlined) gets the
 * same phone-width check. Screenshots go to `test-artifacts/` for a human to look at.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxKey } from '../../src/adapters/outbox/outbox-mailer';
import { HTML_BUDGET_BYTES } from '../../src/core/report/templates/message-budget';
import { DEMO_CONFIG, DEMO_LATEST_QUARTER, runDemo } from '../../src/demo/run-demo';
import {
  computed,
  expectAllImagesLoaded,
  expectNoHorizontalOverflow,
  inlineCidImages,
  installChecks,
  startBrowser,
  textSamplesOf,
  withoutStyles,
} from '../support/browser-checks';
import { readEml } from '../support/read-eml';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');
/** WCAG 2 AA for normal-size text. */
const MIN_CONTRAST = 4.5;
/** Where the contrast check looks: the risk boxes and the KPI table. */
const CONTRAST_SCOPE = 'td.soft-risk, table.headline';
const CEO = DEMO_CONFIG.email.recipients[0]?.address ?? 'ceo@northwind.example';
const EMEA =
  DEMO_CONFIG.email.recipients.find((recipient) => 'segments' in recipient)?.address ??
  'emea.lead@northwind.example';

// ---- Colours -------------------------------------------------------------------------

interface Rgba {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  readonly a: number;
}

/** Parses a computed colour: `rgb(r, g, b)` or `rgba(r, g, b, a)`. */
function parseColor(text: string): Rgba {
  const match = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)$/.exec(text);
  if (!match) throw new Error(`Unexpected computed colour ${JSON.stringify(text)}`);
  const [, r, g, b, a] = match;
  return { r: Number(r), g: Number(g), b: Number(b), a: a === undefined ? 1 : Number(a) };
}

/** `top` painted over an opaque `bottom`. */
function over(top: Rgba, bottom: Rgba): Rgba {
  const mix = (t: number, u: number) => t * top.a + u * (1 - top.a);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

/**
 * The colour behind an element, from its own background outwards (`layers[0]` is the
 * element's): transparent layers are skipped, translucent ones blended, and `canvas` is
 * used when no ancestor paints an opaque background.
 */
function effectiveBackground(layers: readonly string[], canvas: Rgba): Rgba {
  const colors = layers.map(parseColor);
  const opaque = colors.findIndex((color) => color.a >= 1);
  const stack = opaque === -1 ? colors : colors.slice(0, opaque + 1);
  return stack.reduceRight<Rgba>((below, layer) => over(layer, below), canvas);
}

/** WCAG 2 relative luminance of an opaque colour, 0 (black) to 1 (white). */
function luminance({ r, g, b }: Rgba): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2 contrast ratio, 1 to 21. */
function contrastRatio(first: Rgba, second: Rgba): number {
  const [light, dark] = [luminance(first), luminance(second)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

function hex({ r, g, b }: Rgba): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 1 };
const BLACK: Rgba = { r: 0, g: 0, b: 0, a: 1 };

/** Fails with every text element in `scope` whose contrast is below WCAG AA. */
async function expectReadableContrast(page: Page, scope: string, canvas: Rgba): Promise<number> {
  const samples = await textSamplesOf(page, scope);
  const failures: string[] = [];
  for (const sample of samples) {
    const background = effectiveBackground(sample.backgrounds, canvas);
    const color = over(parseColor(sample.color), background);
    const ratio = contrastRatio(color, background);
    if (ratio < MIN_CONTRAST) {
      failures.push(`  ${sample.element}: text ${hex(color)} on ${hex(background)} = ${ratio.toFixed(2)}:1`);
    }
  }
  expect
    .soft(
      failures,
      `${failures.length} of ${samples.length} text elements below ${MIN_CONTRAST}:1:\n${failures.join('\n')}`,
    )
    .toEqual([]);
  return samples.length;
}

// ---- The tests ---------------------------------------------------------------------

describe('the demo report in headless chromium', () => {
  let root: string;
  let reportUrl: string;
  let htmlBytes: number;
  let browser: Browser | undefined;
  // Rethrown by every browser test, so a missing chromium fails each of them, never skips.
  let launchError: unknown;
  const contexts: BrowserContext[] = [];

  async function openPage(width: number, colorScheme: 'light' | 'dark'): Promise<Page> {
    if (!browser) throw launchError ?? new Error('chromium did not start');
    const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
    contexts.push(context);
    return context.newPage();
  }

  async function openReport(width: number, colorScheme: 'light' | 'dark'): Promise<Page> {
    const page = await openPage(width, colorScheme);
    await page.goto(reportUrl, { waitUntil: 'load' });
    await installChecks(page);
    return page;
  }

  async function readMessage(recipient: string) {
    const raw = await readFile(path.join(root, outboxKey(DEMO_LATEST_QUARTER, recipient)));
    return readEml(raw);
  }

  beforeAll(async () => {
    ({ browser, launchError } = await startBrowser());
    await mkdir(ARTIFACTS, { recursive: true });
    root = await mkdtemp(path.join(tmpdir(), 'kpi-browser-'));
    const { email } = await runDemo({ root, print: () => {} });
    reportUrl = pathToFileURL(path.join(root, email.htmlKey)).href;
    htmlBytes = email.htmlBytes;
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('keeps the CEO message’s HTML within its budget (under Gmail’s clipping)', async () => {
    // Act
    const message = await readMessage(CEO);
    const messageHtml = typeof message.html === 'string' ? message.html : '';
    const messageBytes = Buffer.byteLength(messageHtml, 'utf8');
    console.log(
      `demo report.html (charts inlined): ${(htmlBytes / 1024).toFixed(1)} KB; ` +
        `HTML part of the ${CEO} message: ${(messageBytes / 1024).toFixed(1)} KB (budget ${HTML_BUDGET_BYTES / 1024} KB)`,
    );

    // Assert
    expect(messageBytes, 'the CEO message has an HTML part').toBeGreaterThan(0);
    expect(messageBytes).toBeLessThan(HTML_BUDGET_BYTES);
  });

  it.each([600, 375])(
    'fits a %i px wide screen in light mode without horizontal scrolling',
    async (width) => {
      // Arrange
      const page = await openReport(width, 'light');

      // Act
      await page.screenshot({ path: path.join(ARTIFACTS, `report-${width}-light.png`), fullPage: true });

      // Assert
      await expectAllImagesLoaded(page);
      await expectNoHorizontalOverflow(page);
    },
  );

  it('applies the dark-mode colours and keeps the charts on a white background', async () => {
    // Arrange
    const page = await openReport(600, 'dark');

    // Act
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-600-dark.png'), fullPage: true });
    const isDark = await page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches");
    const body = await computed(page, 'body', 'backgroundColor');
    const heading = await computed(page, 'h1', 'color');
    const images = await expectAllImagesLoaded(page);

    // Assert
    expect(isDark, 'the page sees prefers-color-scheme: dark').toBe(true);
    expect(body).not.toBeNull();
    expect(heading).not.toBeNull();
    const bodyLuminance = luminance(parseColor(body ?? ''));
    const headingLuminance = luminance(parseColor(heading ?? ''));
    expect(bodyLuminance, `body background ${body} should be dark`).toBeLessThan(0.05);
    expect(headingLuminance, `h1 colour ${heading} should be light`).toBeGreaterThan(0.6);
    const notWhite = images.filter((image) => image.background !== 'rgb(255, 255, 255)');
    expect(
      notWhite.map((image) => `${path.basename(image.src)}: ${image.background}`),
      'charts whose background is not white in dark mode',
    ).toEqual([]);
  });

  it.each([
    ['light', WHITE],
    ['dark', BLACK],
  ] as const)(
    'keeps text in the risk boxes and the KPI table at 4.5:1 or more in %s mode',
    async (scheme, canvas) => {
      // Arrange
      const page = await openReport(600, scheme);
      const riskBoxes = await page.locator('td.soft-risk').count();
      const kpiTables = await page.locator('table.headline').count();

      // Act
      const checked = await expectReadableContrast(page, CONTRAST_SCOPE, canvas);

      // Assert
      expect(riskBoxes, 'the demo quarter has risks to show').toBeGreaterThan(0);
      expect(kpiTables, 'the report has a KPI table').toBeGreaterThan(0);
      expect(checked).toBeGreaterThan(20);
    },
  );

  it('states the numbers and the quarter in the alt text of every chart', async () => {
    // Arrange
    const page = await openReport(600, 'light');

    // Act
    const images = await expectAllImagesLoaded(page);

    // Assert
    for (const image of images) {
      expect.soft(image.alt, `alt text of ${path.basename(image.src)}`).toMatch(/\d/);
      expect.soft(image.alt, `alt text of ${path.basename(image.src)}`).toContain(DEMO_LATEST_QUARTER);
    }
  });

  it('fits the EMEA recipient’s message, images inlined, on a 375 px screen', async () => {
    // Arrange
    const message = await readMessage(EMEA);
    expect(typeof message.html, 'the EMEA message has an HTML part').toBe('string');
    const { html, missing } = inlineCidImages(message);
    const page = await openPage(375, 'light');

    // Act
    await page.setContent(html, { waitUntil: 'load' });
    await installChecks(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'email-emea-375.png'), fullPage: true });

    // Assert
    expect(missing, 'cid links without a matching inline image').toEqual([]);
    expect(html).toContain('EMEA');
    await expectAllImagesLoaded(page);
    await expectNoHorizontalOverflow(page);
  });

  it.each(['report.html', 'the CEO message'] as const)(
    'fits %s on a 375 px screen with every <style> removed, as clients without style support show it',
    async (which) => {
      // Arrange
      const html =
        which === 'report.html'
          ? await readFile(new URL(reportUrl), 'utf8')
          : inlineCidImages(await readMessage(CEO)).html;
      const page = await openPage(375, 'light');

      // Act
      await page.setContent(withoutStyles(html), { waitUntil: 'load' });
      await installChecks(page);
      const name = which === 'report.html' ? 'report-375-no-style.png' : 'email-ceo-375-no-style.png';
      await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });

      // Assert
      expect(await page.locator('style').count()).toBe(0);
      await expectAllImagesLoaded(page);
      await expectNoHorizontalOverflow(page);
    },
  );
});
