import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as resvg from '@resvg/resvg-wasm';
import { describe, expect, it, vi } from 'vitest';
import { createResvgRasterizer } from '../../../src/adapters/charts/resvg-rasterizer';
import {
  renderTrendChartSvg,
  TREND_CHART_HEIGHT,
  TREND_CHART_WIDTH,
  type TrendChartInput,
} from '../../../src/core/report/charts/trend-chart';

// Counts the real initWasm calls; the module is otherwise untouched.
vi.mock('@resvg/resvg-wasm', async (importOriginal) => {
  const original = await importOriginal<typeof import('@resvg/resvg-wasm')>();
  return { ...original, initWasm: vi.fn(original.initWasm) };
});

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const TYPICAL_CHART: TrendChartInput = {
  title: 'Client Independence Rate',
  move: { kind: 'good', text: 'better' },
  points: [61, null, 63.2, 65, 64.1, 68.9, 70.2, 72.5].map((value, index) => ({
    quarter:
      ['2024-Q4', '2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3'][index] ?? '',
    value,
    label: value === null ? 'n/a' : `${value.toFixed(1)}%`,
  })),
};

/** Width and height from the IHDR chunk, which always follows the 8-byte signature. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function canvas(content: string): string {
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">' +
    `<rect width="120" height="40" fill="#ffffff"/>${content}</svg>`
  );
}

const WITH_TEXT = canvas('<text x="6" y="26" font-family="DejaVu Sans" font-size="14">72.5% n/a</text>');
const WITH_BOLD_TEXT = canvas(
  '<text x="6" y="26" font-family="DejaVu Sans" font-size="14" font-weight="bold">72.5% n/a</text>',
);
const WITHOUT_TEXT = canvas('');

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

describe('createResvgRasterizer', () => {
  it.each([1, 2, 3])('renders a trend chart to a PNG of %i times its intrinsic size', async (scale) => {
    // Arrange
    const rasterizer = await createResvgRasterizer();
    const chart = renderTrendChartSvg(TYPICAL_CHART);

    // Act
    const png = await rasterizer.toPng(chart.svg, scale);

    // Assert
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(new TextDecoder().decode(png.subarray(12, 16))).toBe('IHDR');
    expect(pngSize(png)).toEqual({ width: TREND_CHART_WIDTH * scale, height: TREND_CHART_HEIGHT * scale });
  });

  it('draws text with the bundled DejaVu Sans instead of silently dropping it', async () => {
    // Arrange
    const rasterizer = await createResvgRasterizer();

    // Act
    const withText = await rasterizer.toPng(WITH_TEXT, 1);
    const withoutText = await rasterizer.toPng(WITHOUT_TEXT, 1);

    // Assert
    expect(same(withText, withoutText)).toBe(false);
  });

  it('draws bold text in a different face from regular text', async () => {
    // Arrange
    const rasterizer = await createResvgRasterizer();

    // Act
    const regular = await rasterizer.toPng(WITH_TEXT, 1);
    const bold = await rasterizer.toPng(WITH_BOLD_TEXT, 1);
    const nothing = await rasterizer.toPng(WITHOUT_TEXT, 1);

    // Assert
    expect(same(bold, nothing)).toBe(false);
    expect(same(bold, regular)).toBe(false);
  });

  it('draws the same pixels from the default WOFF fonts, unpacked to TTF, as from their WOFF2 twins', async () => {
    // Arrange: the package's WOFF2 files, which resvg unpacks itself.
    const require = createRequire(import.meta.url);
    const woff2 = ['400', '700'].map(
      (weight) =>
        new Uint8Array(
          readFileSync(
            require.resolve(`@fontsource/dejavu-sans/files/dejavu-sans-latin-${weight}-normal.woff2`),
          ),
        ),
    );
    const svg = renderTrendChartSvg(TYPICAL_CHART).svg;

    // Act
    const fromWoff = await (await createResvgRasterizer()).toPng(svg, 2);
    const fromWoff2 = await (await createResvgRasterizer({ fontBuffers: woff2 })).toPng(svg, 2);
    const withoutFonts = await (await createResvgRasterizer({ fontBuffers: [] })).toPng(svg, 2);

    // Assert
    expect(same(fromWoff, fromWoff2)).toBe(true);
    expect(same(fromWoff, withoutFonts)).toBe(false);
  });

  it('drops text without a word when it has no fonts, which is why the defaults load some', async () => {
    // Arrange
    const rasterizer = await createResvgRasterizer({ fontBuffers: [] });

    // Act
    const withText = await rasterizer.toPng(WITH_TEXT, 1);
    const withoutText = await rasterizer.toPng(WITHOUT_TEXT, 1);

    // Assert
    expect(same(withText, withoutText)).toBe(true);
  });

  it('initialises the wasm once however many rasterizers are created, even concurrently', async () => {
    // Arrange
    const svg = renderTrendChartSvg(TYPICAL_CHART).svg;

    // Act
    const rasterizers = await Promise.all([createResvgRasterizer(), createResvgRasterizer()]);
    const later = await createResvgRasterizer();
    const pngs = await Promise.all([...rasterizers, later].map((rasterizer) => rasterizer.toPng(svg, 1)));

    // Assert
    expect(resvg.initWasm).toHaveBeenCalledTimes(1);
    expect(pngs.map(pngSize)).toEqual([
      { width: TREND_CHART_WIDTH, height: TREND_CHART_HEIGHT },
      { width: TREND_CHART_WIDTH, height: TREND_CHART_HEIGHT },
      { width: TREND_CHART_WIDTH, height: TREND_CHART_HEIGHT },
    ]);
    expect(pngs.every((png) => same(png, pngs[0] ?? new Uint8Array()))).toBe(true);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the scale %s', async (scale) => {
    // Arrange
    const rasterizer = await createResvgRasterizer();

    // Act
    const rendering = rasterizer.toPng(WITHOUT_TEXT, scale);

    // Assert
    await expect(rendering).rejects.toThrow(RangeError);
  });

  it('rejects an SVG that does not parse', async () => {
    // Arrange
    const rasterizer = await createResvgRasterizer();

    // Act
    const rendering = rasterizer.toPng('<svg', 1);

    // Assert
    await expect(rendering).rejects.toThrow(/SVG data parsing failed/);
  });
});
