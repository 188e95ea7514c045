import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  renderTrendChartSvg,
  TREND_CHART_HEIGHT,
  TREND_CHART_WIDTH,
  type TrendChartInput,
  type TrendPoint,
} from '../../../src/core/email/trend-chart';

const QUARTERS = ['2024-Q4', '2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3'];

function percentPoints(values: readonly (number | null)[]): TrendPoint[] {
  const quarters = QUARTERS.slice(QUARTERS.length - values.length);
  return values.map((value, index) => ({
    quarter: quarters[index] ?? `Q${index}`,
    value,
    label: value === null ? 'n/a' : `${value.toFixed(1)}%`,
  }));
}

function chartOf(values: readonly (number | null)[], higherIsBetter = true): TrendChartInput {
  return { title: 'Client Independence Rate', points: percentPoints(values), higherIsBetter };
}

/** Every `<tag …>` of the SVG in order, as [name, attributes]. */
function elements(svg: string): [string, Record<string, string>][] {
  return [...svg.matchAll(/<([a-z]+)((?:\s+[a-zA-Z-]+="[^"]*")*)\s*\/?>/g)].map((match) => [
    match[1] ?? '',
    Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z-]+)="([^"]*)"/g)].map((attr) => [attr[1], attr[2]]),
    ),
  ]);
}

function attributesOf(svg: string, tag: string): Record<string, string>[] {
  return elements(svg)
    .filter(([name]) => name === tag)
    .map(([, attributes]) => attributes);
}

/** The emphasised dot of the reported quarter (the one bigger than the others). */
function lastDot(svg: string): Record<string, string> | undefined {
  return attributesOf(svg, 'circle').find((circle) => circle.r === '4.5');
}

/**
 * Problems that would stop an XML parser: unbalanced or misnested tags, a bare `&` that is
 * not an entity, a `>` or `<` in text. Empty when the SVG is well-formed for our purposes.
 */
function xmlProblems(svg: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  let rest = svg;
  while (rest.length > 0) {
    const start = rest.indexOf('<');
    const text = start === -1 ? rest : rest.slice(0, start);
    if (text.includes('>')) problems.push(`raw '>' in text: ${text}`);
    if (/&(?!amp;|lt;|gt;|quot;|apos;)/.test(text)) problems.push(`bare '&' in text: ${text}`);
    if (start === -1) break;
    const end = rest.indexOf('>', start);
    if (end === -1) {
      problems.push('unterminated tag');
      break;
    }
    const tag = rest.slice(start, end + 1);
    const name = /^<\/?([a-z]+)/.exec(tag)?.[1];
    if (name === undefined || tag.slice(1, -1).includes('<')) problems.push(`malformed tag: ${tag}`);
    else if (tag.startsWith('</')) {
      const expected = open.pop();
      if (expected !== name) problems.push(`</${name}> closes <${expected}>`);
    } else if (!tag.endsWith('/>')) open.push(name);
    rest = rest.slice(end + 1);
  }
  if (open.length > 0) problems.push(`unclosed: ${open.join(', ')}`);
  return problems;
}

const HORIZONTAL = new Set(['x', 'x1', 'x2', 'cx']);
const VERTICAL = new Set(['y', 'y1', 'y2', 'cy']);

/** Coordinates that are not finite, fall outside the 280×110 view box or carry more than one decimal. */
function coordinateProblems(svg: string): string[] {
  const problems: string[] = [];
  const check = (axis: 'x' | 'y', raw: string): void => {
    const number = Number(raw);
    const limit = axis === 'x' ? TREND_CHART_WIDTH : TREND_CHART_HEIGHT;
    if (!Number.isFinite(number) || number < 0 || number > limit) problems.push(`${axis}=${raw}`);
    if (/\.\d{2}/.test(raw)) problems.push(`${axis}=${raw} has more than one decimal`);
  };
  for (const [, attributes] of elements(svg)) {
    for (const [name, raw] of Object.entries(attributes)) {
      if (HORIZONTAL.has(name)) check('x', raw);
      if (VERTICAL.has(name)) check('y', raw);
    }
    for (const [, x = '', y = ''] of (attributes.d ?? '').matchAll(/[ML]([^ ML]+) ([^ ML]+)/g)) {
      check('x', x);
      check('y', y);
    }
  }
  if (/NaN|Infinity/.test(svg)) problems.push('NaN or Infinity in the SVG');
  return problems;
}

describe('renderTrendChartSvg', () => {
  it('states every quarter and its displayed value in order in the alt text', () => {
    // Arrange
    const input = chartOf([61, null, 63.2, 65, 64.1, 68.9, 70.2, 72.5]);

    // Act
    const { alt } = renderTrendChartSvg(input);

    // Assert
    expect(alt).toBe(
      'Client Independence Rate, last 8 quarters: 2024-Q4 61.0%, 2025-Q1 n/a, 2025-Q2 63.2%, ' +
        '2025-Q3 65.0%, 2025-Q4 64.1%, 2026-Q1 68.9%, 2026-Q2 70.2%, 2026-Q3 72.5%.',
    );
  });

  it('draws a 280 by 110 well-formed SVG on its own light background', () => {
    // Arrange
    const input = chartOf([61, 62, 64, 63]);

    // Act
    const chart = renderTrendChartSvg(input);

    // Assert
    expect(chart.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(chart.svg.endsWith('</svg>')).toBe(true);
    expect(attributesOf(chart.svg, 'svg')[0]).toMatchObject({
      width: '280',
      height: '110',
      viewBox: '0 0 280 110',
    });
    expect([chart.width, chart.height]).toEqual([TREND_CHART_WIDTH, TREND_CHART_HEIGHT]);
    expect(xmlProblems(chart.svg)).toEqual([]);
    expect(attributesOf(chart.svg, 'rect')[0]).toMatchObject({
      width: '279',
      height: '109',
      fill: '#ffffff',
    });
  });

  it('uses only DejaVu Sans at 10 px or more for its text', () => {
    // Arrange
    const input = chartOf([61, 62, 64, 63]);

    // Act
    const { svg } = renderTrendChartSvg(input);

    // Assert
    expect([...svg.matchAll(/font-family="([^"]*)"/g)].map((match) => match[1])).toEqual(['DejaVu Sans']);
    const sizes = [...svg.matchAll(/font-size="([^"]*)"/g)].map((match) => Number(match[1]));
    expect(sizes.length).toBeGreaterThan(0);
    expect(sizes.every((size) => size >= 10)).toBe(true);
  });

  it('labels the reported quarter with its value and shows the first and last quarters', () => {
    // Arrange
    const input = chartOf([61, 62, 64, 63, 65, 66, 70, 72.5]);

    // Act
    const { svg } = renderTrendChartSvg(input);

    // Assert
    expect(svg).toMatch(/font-weight="bold"[^>]*>72\.5%<\/text>/);
    expect(svg).toContain('>2024-Q4</text>');
    expect(svg).toContain('>2026-Q3</text>');
    expect(svg).not.toContain('>2025-Q2</text>');
  });

  it('leaves a gap in the line where a quarter has no value instead of plotting zero', () => {
    // Arrange
    const input = chartOf([61, 62, null, 64, 65]);

    // Act
    const { svg } = renderTrendChartSvg(input);

    // Assert
    const paths = attributesOf(svg, 'path');
    expect(paths).toHaveLength(1);
    expect(paths[0]?.d?.match(/M/g)).toHaveLength(2);
    expect(attributesOf(svg, 'circle')).toHaveLength(4);
  });

  it('pads the y-range around the data instead of starting it at zero', () => {
    // Arrange
    const input = chartOf([70, 72]);

    // Act
    const { svg } = renderTrendChartSvg(input);

    // Assert
    // Forced from zero, 70 and 72 would sit a few pixels apart; unpadded, they would touch
    // the plot's edges (66 px apart). Padded, they use most of the height but not all of it.
    const [first, last] = attributesOf(svg, 'circle').map((circle) => Number(circle.cy));
    const distance = (first ?? 0) - (last ?? 0);
    expect(distance).toBeGreaterThan(40);
    expect(distance).toBeLessThan(60);
  });

  it('draws the frame with a centred "no data" when every quarter is n/a', () => {
    // Arrange
    const input = chartOf([null, null, null]);

    // Act
    const chart = renderTrendChartSvg(input);

    // Assert
    expect(chart.svg).toMatch(/<text x="140" y="51" text-anchor="middle"[^>]*>no data<\/text>/);
    expect(attributesOf(chart.svg, 'path')).toEqual([]);
    expect(attributesOf(chart.svg, 'circle')).toEqual([]);
    expect(attributesOf(chart.svg, 'rect')).toHaveLength(1);
    expect(chart.alt).toBe(
      'Client Independence Rate, last 3 quarters: 2026-Q1 n/a, 2026-Q2 n/a, 2026-Q3 n/a.',
    );
  });

  it('says "no data" for an empty history', () => {
    // Arrange
    const input: TrendChartInput = { title: 'NPS', points: [], higherIsBetter: true };

    // Act
    const chart = renderTrendChartSvg(input);

    // Assert
    expect(chart.svg).toContain('>no data</text>');
    expect(chart.alt).toBe('NPS: no data.');
  });

  it('draws a single quarter as one emphasised dot with its label', () => {
    // Arrange
    const input = chartOf([42]);

    // Act
    const chart = renderTrendChartSvg(input);

    // Assert
    expect(attributesOf(chart.svg, 'circle')).toEqual([
      expect.objectContaining({ r: '4.5', fill: '#6e7781' }),
    ]);
    expect(chart.svg).toMatch(/font-weight="bold"[^>]*>42\.0%<\/text>/);
    expect(chart.alt).toBe('Client Independence Rate, last quarter: 2026-Q3 42.0%.');
  });

  it('prints "n/a" for the reported quarter when only it is missing', () => {
    // Arrange
    const input = chartOf([61, 62, 64, null]);

    // Act
    const { svg } = renderTrendChartSvg(input);

    // Assert
    expect(lastDot(svg)).toBeUndefined();
    expect(svg).toMatch(/font-weight="bold"[^>]*>n\/a<\/text>/);
  });

  it.each([
    { case: 'a rate rising', values: [60, 70], higherIsBetter: true, colour: '#1a7f37' },
    { case: 'a rate falling', values: [70, 60], higherIsBetter: true, colour: '#c62828' },
    { case: 'a cost falling', values: [45, 41], higherIsBetter: false, colour: '#1a7f37' },
    { case: 'a cost rising', values: [41, 45], higherIsBetter: false, colour: '#c62828' },
    { case: 'an unchanged value', values: [50, 50], higherIsBetter: true, colour: '#6e7781' },
    { case: 'NPS rising from negative', values: [-40, -12], higherIsBetter: true, colour: '#1a7f37' },
  ])('colours the last dot $colour for $case', ({ values, higherIsBetter, colour }) => {
    // Arrange
    const input = chartOf(values, higherIsBetter);

    // Act
    const { svg } = renderTrendChartSvg(input);

    // Assert
    expect(lastDot(svg)?.fill).toBe(colour);
  });

  it('compares the last value with the previous known one, skipping quarters without a value', () => {
    // Arrange
    const input = chartOf([80, 60, null, 70], true);

    // Act
    const { svg } = renderTrendChartSvg(input);

    // Assert
    expect(lastDot(svg)?.fill).toBe('#1a7f37');
  });

  it('counts a move too small to change the displayed value as flat', () => {
    // Arrange
    const input = chartOf([72.51, 72.49], true);

    // Act
    const { svg } = renderTrendChartSvg(input);

    // Assert
    expect(lastDot(svg)?.fill).toBe('#6e7781');
  });

  it('escapes markup in the title, labels and quarters so none of it appears raw', () => {
    // Arrange
    const input: TrendChartInput = {
      title: 'Rate <script>alert("x")</script> & co',
      points: [
        { quarter: "Q'1<b>", value: 1, label: '<script>&' },
        { quarter: 'Q2 & "more"', value: 2, label: 'A&B <i>' },
      ],
      higherIsBetter: true,
    };

    // Act
    const { svg, alt } = renderTrendChartSvg(input);

    // Assert
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).not.toContain('<i>');
    expect(svg).toContain('&lt;script&gt;&amp;');
    expect(svg).toContain('Q2 &amp; &quot;more&quot;');
    expect(xmlProblems(svg)).toEqual([]);
    expect(alt).toContain('Rate <script>alert("x")</script> & co');
  });

  it('replaces characters that XML cannot hold so the SVG still parses', () => {
    // Arrange
    const input: TrendChartInput = {
      title: 'Bell\u0007',
      points: [{ quarter: '2026-Q3', value: 1, label: '1\u0000\uD800' }],
      higherIsBetter: true,
    };

    // Act
    const { svg } = renderTrendChartSvg(input);

    // Assert
    expect(svg).not.toContain('\u0000');
    expect(svg).not.toContain('\u0007');
    expect(svg).not.toContain('\uD800');
    expect(svg).toContain('1\uFFFD\uFFFD');
  });

  it('gives the same SVG for the same input', () => {
    // Arrange
    const input = chartOf([-100, 35.5, null, 20, -12]);
    const copy = structuredClone(input);

    // Act
    const first = renderTrendChartSvg(input);
    const second = renderTrendChartSvg(copy);

    // Assert
    expect(second).toEqual(first);
  });

  it('keeps every coordinate finite and inside the view box for any series', () => {
    // Arrange
    const value = fc.option(fc.double({ min: -100, max: 1000, noNaN: true }), { nil: null, freq: 4 });
    const series = fc.array(value, { minLength: 1, maxLength: 8 });

    fc.assert(
      fc.property(series, fc.boolean(), (values, higherIsBetter) => {
        // Act
        const { svg } = renderTrendChartSvg(chartOf(values, higherIsBetter));

        // Assert
        expect(coordinateProblems(svg)).toEqual([]);
        expect(xmlProblems(svg)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
