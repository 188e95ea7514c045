import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axisFor } from '../../../../src/core/report/charts/chart-axis';
import {
  MIN_FONT_SIZE,
  renderTrendChartSvg,
  TREND_CHART_HEIGHT,
  TREND_CHART_WIDTH,
  type TrendChartInput,
  type TrendMove,
  type TrendPoint,
} from '../../../../src/core/report/charts/trend-chart';

const QUARTERS = ['2024-Q4', '2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3'];

function percentPoints(values: readonly (number | null)[]): TrendPoint[] {
  const quarters = QUARTERS.slice(QUARTERS.length - values.length);
  return values.map((value, index) => ({
    quarter: quarters[index] ?? `Q${index}`,
    value,
    label: value === null ? 'not available' : `${value.toFixed(1)}%`,
  }));
}

const FLAT: TrendMove = { kind: 'flat', text: '' };

function chartOf(values: readonly (number | null)[], move: TrendMove = FLAT): TrendChartInput {
  return {
    title: 'Client Independence Rate',
    shortTitle: 'Independence',
    points: percentPoints(values),
    move,
    minimumSpan: 10,
    bounds: { min: 0, max: 100 },
    formatTick: (value) => `${value}%`,
  };
}

/** Every `<tag …>` of the SVG in order, as [name, attributes]. */
function elements(svg: string): [string, Record<string, string>][] {
  return [...svg.matchAll(/<([a-z]+)((?:\s+[a-zA-Z0-9-]+="[^"]*")*)\s*\/?>/g)].map((match) => [
    match[1] ?? '',
    Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z0-9-]+)="([^"]*)"/g)].map((attr) => [attr[1], attr[2]]),
    ),
  ]);
}

function attributesOf(svg: string, tag: string): Record<string, string>[] {
  return elements(svg)
    .filter(([name]) => name === tag)
    .map(([, attributes]) => attributes);
}

/** The mark of the reported quarter: a circle bigger than the others, or the diamond. */
function lastMark(svg: string): [string, Record<string, string>] | undefined {
  return elements(svg).find(
    ([name, attributes]) =>
      (name === 'circle' && Number(attributes.r) > 3) || (name === 'path' && attributes.fill !== 'none'),
  );
}

/** Every text element's content, in order. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1] ?? '');
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

/** Coordinates that are not finite, fall outside the view box or carry more than one decimal. */
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
  it('states every quarter, its displayed value and the last change in order in the alt text', () => {
    // Arrange
    const input = chartOf([61, null, 63.2, 65, 64.1, 68.9, 70.2, 72.5], { kind: 'good', text: 'better' });

    // Act
    const { alt } = renderTrendChartSvg(input);

    // Assert
    expect(alt).toBe(
      'Client Independence Rate, last 8 quarters: 2024-Q4 61.0%, 2025-Q1 not available, 2025-Q2 63.2%, ' +
        '2025-Q3 65.0%, 2025-Q4 64.1%, 2026-Q1 68.9%, 2026-Q2 70.2%, 2026-Q3 72.5%. Last change: better.',
    );
  });

  it('draws a 280 by 150 well-formed SVG on its own light background, titled inside the image', () => {
    // Arrange
    const input = chartOf([61, 62, 64, 63]);

    // Act
    const chart = renderTrendChartSvg(input);

    // Assert
    expect(chart.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(chart.svg.endsWith('</svg>')).toBe(true);
    expect(attributesOf(chart.svg, 'svg')[0]).toMatchObject({
      width: '280',
      height: '150',
      viewBox: '0 0 280 150',
    });
    expect([chart.width, chart.height]).toEqual([TREND_CHART_WIDTH, TREND_CHART_HEIGHT]);
    expect(xmlProblems(chart.svg)).toEqual([]);
    expect(attributesOf(chart.svg, 'rect')[0]).toMatchObject({
      width: '279',
      height: '149',
      fill: '#ffffff',
    });
    expect(texts(chart.svg)[0]).toBe('Client Independence Rate');
  });

  it('titles itself with the short name when the full one does not fit', () => {
    const input = {
      ...chartOf([61, 62]),
      title: 'Client Empowerment Satisfaction Score',
      shortTitle: 'CESS',
    };

    expect(texts(renderTrendChartSvg(input).svg)[0]).toBe('CESS');
  });

  it('uses only DejaVu Sans at 11 px or more for its text', () => {
    // Arrange
    const input = chartOf([61, 62, 64, 63], { kind: 'bad', text: 'worse' });

    // Act
    const { svg } = renderTrendChartSvg(input);

    // Assert
    expect([...svg.matchAll(/font-family="([^"]*)"/g)].map((match) => match[1])).toEqual(['DejaVu Sans']);
    const sizes = [...svg.matchAll(/font-size="([^"]*)"/g)].map((match) => Number(match[1]));
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.min(...sizes)).toBe(MIN_FONT_SIZE);
  });

  it('labels every quarter, and each year under its first quarter', () => {
    // Arrange
    const input = chartOf([61, 62, 64, 63, 65, 66, 70, 72.5], { kind: 'good', text: 'better' });

    // Act
    const labels = texts(renderTrendChartSvg(input).svg);

    // Assert
    expect(labels).toEqual(expect.arrayContaining(['72.5%', 'better']));
    expect(labels.filter((label) => /^Q[1-4]$/.test(label))).toEqual([
      'Q4',
      'Q1',
      'Q2',
      'Q3',
      'Q4',
      'Q1',
      'Q2',
      'Q3',
    ]);
    expect(labels.filter((label) => /^\d{4}$/.test(label))).toEqual(['2024', '2025', '2026']);
  });

  it('leaves a gap in the line where a quarter has no value instead of plotting zero', () => {
    // Arrange
    const input = chartOf([61, 62, null, 64, 65]);

    // Act
    const { svg } = renderTrendChartSvg(input);

    // Assert
    const lines = attributesOf(svg, 'path').filter((path) => path.fill === 'none');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.d?.match(/M/g)).toHaveLength(2);
    expect(attributesOf(svg, 'circle')).toHaveLength(4);
  });

  it('marks the cut of an axis that does not start at zero, and spans at least the minimum', () => {
    // Arrange: retention dips 2.5 points, far from zero.
    const axis = axisFor([98, 95.5, 98.4], 10, { min: 0, max: 100 });
    const { svg } = renderTrendChartSvg(chartOf([98, 95.5, 98.4]));

    // Assert: 90 to 100 (not 95 to 99), so the dip fills a quarter of the height, not all of it.
    expect(axis).toEqual({ min: 90, max: 100, ticks: [90, 95, 100], cut: 'bottom' });
    const strokes = attributesOf(svg, 'line').filter((line) => line['stroke-width'] === '1.5');
    expect(strokes).toHaveLength(2);
  });

  it('starts the axis at zero when zero is near, and draws a zero line when the series crosses it', () => {
    // Act
    const near = axisFor([23.5, 53.6], 10, { min: 0, max: 100 });
    const crossing = axisFor([-10, 5, 12], 20, { min: -100, max: 100 });
    const { svg } = renderTrendChartSvg({
      ...chartOf([-10, 5, 12]),
      minimumSpan: 20,
      bounds: { min: -100, max: 100 },
    });

    // Assert
    expect(near).toMatchObject({ min: 0, cut: 'none' });
    expect(crossing).toMatchObject({ cut: 'none' });
    expect(crossing.ticks).toContain(0);
    expect(texts(svg)).toContain('0%');
    const zeroLines = attributesOf(svg, 'line').filter(
      (line) => line['stroke-width'] === '1.5' && line.y1 === line.y2,
    );
    expect(zeroLines).toHaveLength(1);
  });

  it('never runs the axis past what the KPI can take', () => {
    expect(axisFor([99, 99.8], 10, { min: 0, max: 100 })).toMatchObject({ max: 100 });
    expect(axisFor([0.5, 2], 10, { min: 0, max: 100 })).toMatchObject({ min: 0 });
  });

  it('says "not available" in a frame when every quarter is', () => {
    // Arrange
    const input = chartOf([null, null, null]);

    // Act
    const chart = renderTrendChartSvg(input);

    // Assert
    expect(texts(chart.svg)).toContain('not available');
    expect(attributesOf(chart.svg, 'path')).toEqual([]);
    expect(attributesOf(chart.svg, 'circle')).toEqual([]);
    expect(chart.alt).toBe(
      'Client Independence Rate, last 3 quarters: 2026-Q1 not available, 2026-Q2 not available, 2026-Q3 not available.',
    );
  });

  it('says "not available" for an empty history', () => {
    const chart = renderTrendChartSvg({ title: 'NPS', points: [], move: FLAT });

    expect(texts(chart.svg)).toContain('not available');
    expect(chart.alt).toBe('NPS: not available.');
  });

  it('draws a single quarter as its mark with its label', () => {
    const chart = renderTrendChartSvg(chartOf([42]));

    expect(lastMark(chart.svg)?.[0]).toBe('circle');
    expect(texts(chart.svg)).toContain('42.0%');
    expect(chart.alt).toBe('Client Independence Rate, last quarter: 2026-Q3 42.0%.');
  });

  it('prints the reported quarter’s label where its value would be when only it is missing', () => {
    const { svg } = renderTrendChartSvg(chartOf([61, 62, 64, null]));

    expect(lastMark(svg)).toBeUndefined();
    expect(texts(svg)).toContain('not available');
  });

  it.each([
    { kind: 'good', shape: 'circle', fill: '#1a7f37' },
    { kind: 'bad', shape: 'path', fill: '#cf222e' },
    { kind: 'flat', shape: 'circle', fill: '#ffffff' },
  ] as const)(
    'marks a $kind last move by its shape ($shape) as well as its colour',
    ({ kind, shape, fill }) => {
      // Act
      const { svg } = renderTrendChartSvg(chartOf([60, 70], { kind, text: kind }));

      // Assert
      expect(lastMark(svg)?.[0]).toBe(shape);
      expect(lastMark(svg)?.[1].fill).toBe(fill);
      expect(texts(svg)).toContain(kind);
    },
  );

  it('escapes markup in the title, labels and quarters so none of it appears raw', () => {
    // Arrange
    const input: TrendChartInput = {
      title: 'Rate <script>alert("x")</script> & co',
      points: [
        { quarter: "Q'1<b>", value: 1, label: '<script>&' },
        { quarter: 'Q2 & "more"', value: 2, label: 'A&B <i>' },
      ],
      move: FLAT,
    };

    // Act
    const { svg, alt } = renderTrendChartSvg(input);

    // Assert
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).not.toContain('<i>');
    expect(svg).toContain('A&amp;B &lt;i&gt;');
    expect(svg).toContain('Q2 &amp; &quot;more&quot;');
    expect(xmlProblems(svg)).toEqual([]);
    expect(alt).toContain('Rate <script>alert("x")</script> & co');
  });

  it('replaces characters that XML cannot hold so the SVG still parses', () => {
    // Arrange
    const input: TrendChartInput = {
      title: 'Bell\u0007',
      points: [{ quarter: '2026-Q3', value: 1, label: '1\u0000\uD800' }],
      move: FLAT,
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
    const copy = { ...structuredClone({ ...input, formatTick: undefined }), formatTick: input.formatTick };

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
    const kind = fc.constantFrom('good', 'bad', 'flat') as fc.Arbitrary<TrendMove['kind']>;

    fc.assert(
      fc.property(
        series,
        kind,
        fc.option(fc.double({ min: 0, max: 50, noNaN: true })),
        (values, move, span) => {
          // Act
          const { svg } = renderTrendChartSvg({
            title: 'Cost to Support',
            points: percentPoints(values),
            move: { kind: move, text: move },
            ...(span !== null && { minimumSpan: span }),
          });

          // Assert
          expect(coordinateProblems(svg)).toEqual([]);
          expect(xmlProblems(svg)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
