/**
 * Checks run in a real browser page (playwright-core) on the report and its messages: what
 * sticks out past the viewport, which images did not load, text colours for contrast; and
 * how a message is shown as a client would: its cid: images inlined, its <style> removed.
 */
import type { ParsedMail } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from './chromium';

/**
 * Starts chromium, or keeps why it could not: each browser test rethrows that error, so a
 * missing chromium fails every one of them instead of skipping it.
 */
export async function startBrowser(): Promise<{ browser?: Browser; launchError?: unknown }> {
  try {
    return { browser: await launchChromium() };
  } catch (error) {
    return { launchError: error };
  }
}

export interface OverflowReport {
  readonly innerWidth: number;
  readonly scrollWidth: number;
  readonly offenders: readonly { element: string; left: number; right: number; innermost: boolean }[];
}

export interface ImageReport {
  readonly src: string;
  readonly alt: string;
  readonly complete: boolean;
  readonly naturalWidth: number;
  readonly background: string;
}

export interface TextSample {
  readonly element: string;
  readonly color: string;
  /** Computed background colours from the element up to `<html>`. */
  readonly backgrounds: readonly string[];
}

/**
 * Plain browser JavaScript (this project's TypeScript has no DOM types, and a serialised
 * function could pick up transpiler helpers), evaluated in the page after it loads. It
 * defines `globalThis.reportChecks`.
 */
export const BROWSER_CHECKS = String.raw`
globalThis.reportChecks = (() => {
  const describe = (el) => {
    const classes = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const text = (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60);
    return el.tagName.toLowerCase() + classes + (text ? ' "' + text + '"' : '');
  };
  const ownText = (el) => Array.from(el.childNodes)
    .filter((node) => node.nodeType === Node.TEXT_NODE)
    .map((node) => node.textContent).join('').trim();
  return {
    overflow() {
      const limit = window.innerWidth;
      const found = [];
      for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (box.right > limit + 0.5) found.push({ el, box });
      }
      // Innermost: no other offender inside it, the likeliest place to start looking.
      const offenders = found.map(({ el, box }) => ({
        element: describe(el),
        left: Math.round(box.left),
        right: Math.round(box.right),
        innermost: !found.some((other) => other.el !== el && el.contains(other.el)),
      }));
      return { innerWidth: limit, scrollWidth: document.documentElement.scrollWidth, offenders };
    },
    images() {
      return Array.from(document.images).map((img) => ({
        src: img.currentSrc || img.src,
        alt: img.alt,
        complete: img.complete,
        naturalWidth: img.naturalWidth,
        background: getComputedStyle(img).backgroundColor,
      }));
    },
    colorOf(selector, property) {
      const el = document.querySelector(selector);
      return el ? getComputedStyle(el)[property] : null;
    },
    textSamples(scope) {
      const seen = new Set();
      const samples = [];
      for (const root of document.querySelectorAll(scope)) {
        for (const el of [root, ...root.querySelectorAll('*')]) {
          if (seen.has(el)) continue;
          seen.add(el);
          if (!ownText(el)) continue;
          const style = getComputedStyle(el);
          if (style.visibility !== 'visible' || Number(style.opacity) === 0) continue;
          if (el.getClientRects().length === 0) continue;
          const backgrounds = [];
          for (let node = el; node; node = node.parentElement) {
            backgrounds.push(getComputedStyle(node).backgroundColor);
          }
          samples.push({ element: describe(el), color: style.color, backgrounds });
        }
      }
      return samples;
    },
  };
})();
`;

export async function installChecks(page: Page): Promise<void> {
  await page.evaluate(BROWSER_CHECKS);
}

export function overflowOf(page: Page): Promise<OverflowReport> {
  return page.evaluate('reportChecks.overflow()') as Promise<OverflowReport>;
}

export function imagesOf(page: Page): Promise<ImageReport[]> {
  return page.evaluate('reportChecks.images()') as Promise<ImageReport[]>;
}

export function computed(
  page: Page,
  selector: string,
  property: 'color' | 'backgroundColor',
): Promise<string | null> {
  return page.evaluate(
    `reportChecks.colorOf(${JSON.stringify(selector)}, ${JSON.stringify(property)})`,
  ) as Promise<string | null>;
}

export function textSamplesOf(page: Page, scope: string): Promise<TextSample[]> {
  return page.evaluate(`reportChecks.textSamples(${JSON.stringify(scope)})`) as Promise<TextSample[]>;
}

/** Fails with every element that sticks out past the viewport's right edge. */
export async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const report = await overflowOf(page);
  const list = (offenders: OverflowReport['offenders']) =>
    offenders
      .slice(0, 12)
      .map((offender) => `  ${offender.element} (left ${offender.left}, right ${offender.right})`)
      .join('\n');
  const innermost = report.offenders.filter((offender) => offender.innermost);
  expect
    .soft(
      report.offenders.length,
      `${report.offenders.length} element(s) extend past the right edge at ${report.innerWidth} px.\n` +
        `Outermost first:\n${list(report.offenders)}\nInnermost (${innermost.length}):\n${list(innermost)}\n`,
    )
    .toBe(0);
  expect
    .soft(report.scrollWidth, `document scrollWidth ${report.scrollWidth} > viewport ${report.innerWidth}`)
    .toBeLessThanOrEqual(report.innerWidth);
}

/** Fails with every image that did not load (a missing chart file, a broken cid). */
export async function expectAllImagesLoaded(page: Page): Promise<ImageReport[]> {
  const images = await imagesOf(page);
  expect(images.length, 'the report shows its trend charts').toBeGreaterThan(0);
  const broken = images.filter((image) => !image.complete || image.naturalWidth === 0);
  expect
    .soft(
      broken.map((image) => image.src.slice(0, 120)),
      'images that did not load',
    )
    .toEqual([]);
  return images;
}

/**
 * A message's HTML with each `cid:` image replaced by its part as a data URI, as a mail
 * client shows it; `missing` lists cids without a part.
 */
export function inlineCidImages(mail: ParsedMail): { html: string; missing: string[] } {
  const images = new Map(
    mail.attachments.filter((part) => part.cid !== undefined).map((part) => [part.cid, part] as const),
  );
  const missing: string[] = [];
  const html = String(mail.html).replace(/cid:([^"'\s)>]+)/g, (_, cid: string) => {
    const image = images.get(cid);
    if (!image) {
      missing.push(cid);
      return `cid:${cid}`;
    }
    return `data:${image.contentType};base64,${image.content.toString('base64')}`;
  });
  return { html, missing };
}

/** The HTML as clients that drop `<style>` show it (Gmail without its style support). */
export function withoutStyles(html: string): string {
  return html.replace(/<style[\s\S]*?<\/style>/gi, '');
}
