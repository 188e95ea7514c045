import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { KPI_IDS } from '../../../../src/core/kpi-ids';
import {
  KPI_CSV_COLUMNS,
  neutraliseFormula,
  renderKpisCsv,
} from '../../../../src/core/report/format/kpis-csv';
import { HOSTILE_SEGMENT, sampleSnapshot } from '../../../support/sample-snapshot';

function records(text: string): Record<string, string>[] {
  return parse(text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
}

describe('the KPI CSV attachment', () => {
  it('holds every KPI for the company and for every segment, at full precision', () => {
    const snapshot = sampleSnapshot();

    const rows = records(renderKpisCsv(snapshot));

    expect(Object.keys(rows[0] ?? {})).toEqual([...KPI_CSV_COLUMNS]);
    // company + 4 region segments + 1 product segment, 7 KPIs each
    expect(rows).toHaveLength(6 * 7);
    for (const row of rows) {
      const results =
        row.scope === 'company'
          ? snapshot.kpis
          : snapshot.segments[row.dimension ?? '']?.[row.segment?.replace(/^'/, '') ?? ''];
      const result = results?.[row.kpi_id as (typeof KPI_IDS)[number]];
      expect(result, `${row.scope} ${row.dimension} ${row.segment} ${row.kpi_id}`).toBeDefined();
      expect(row.value === '' ? null : Number(row.value)).toBe(result?.value);
      expect(Number(row.numerator)).toBe(result?.numerator);
      expect(Number(row.denominator)).toBe(result?.denominator);
      expect(row.band === '' ? null : row.band).toBe(result?.band);
      expect(row.delta_qoq === '' ? null : Number(row.delta_qoq)).toBe(result?.deltaQoQ);
      expect(row.delta_yoy === '' ? null : Number(row.delta_yoy)).toBe(result?.deltaYoY);
      expect(row.interval_low === '' ? null : Number(row.interval_low)).toBe(result?.interval?.low ?? null);
      expect(row.interval_high === '' ? null : Number(row.interval_high)).toBe(
        result?.interval?.high ?? null,
      );
      const noise = (cell: string | undefined) => (cell === '' ? null : cell === 'true');
      expect(noise(row.delta_qoq_outside_noise)).toBe(result?.deltaQoQOutsideNoise ?? null);
      expect(noise(row.delta_yoy_outside_noise)).toBe(result?.deltaYoYOutsideNoise ?? null);
    }
  });

  it('neutralises text a spreadsheet would run as a formula, but keeps negative numbers numeric', () => {
    const rows = records(renderKpisCsv(sampleSnapshot()));

    const product = rows.find((row) => row.dimension === 'product');
    expect(product?.segment).toBe(`'=HYPERLINK("http://x")`);
    const nps = rows.find((row) => row.scope === 'company' && row.kpi_id === 'netPromoterScore');
    expect(nps?.value).toBe('-10');
    expect(rows.some((row) => row.segment === HOSTILE_SEGMENT)).toBe(true);
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1+2', "'-1+2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['EMEA', 'EMEA'],
  ])('turns %j into %j', (input, expected) => {
    expect(neutraliseFormula(input)).toBe(expected);
  });

  it('gives a recipient limited to segments only their segments', () => {
    const rows = records(
      renderKpisCsv(sampleSnapshot(), {
        address: 'emea@example.com',
        segments: [{ dimension: 'region', value: 'EMEA' }],
      }),
    );

    expect(new Set(rows.map((row) => `${row.scope}/${row.dimension}/${row.segment}`))).toEqual(
      new Set(['segment/region/EMEA']),
    );
    expect(rows).toHaveLength(KPI_IDS.length);
  });

  it('starts with a byte-order mark and ends lines with CRLF, as spreadsheets expect', () => {
    const text = renderKpisCsv(sampleSnapshot());

    expect(text.startsWith('\uFEFFquarter,scope,')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(1 + 6 * 7 + 1);
  });
});
