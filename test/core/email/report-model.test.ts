import { describe, expect, it } from 'vitest';
import { buildReportModel, UnknownSegmentError } from '../../../src/core/email/report-model';
import type { KpiId } from '../../../src/core/kpi-ids';
import { HOSTILE_SEGMENT, sampleSnapshot } from '../../support/sample-snapshot';

function companyModel(riskDropPoints = 5, quarters?: readonly string[]) {
  return buildReportModel({
    snapshot: sampleSnapshot(quarters === undefined ? {} : { quarters }),
    riskDropPoints,
    imageLinks: 'cid',
  }).model;
}

function row(model: ReturnType<typeof companyModel>, id: KpiId) {
  const found = model.views[0]?.kpis.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no row for ${id}`);
  return found;
}

describe('the report model of the company view', () => {
  it('shows the seven KPIs in the spec order, rounded as the CLI rounds them', () => {
    const model = companyModel();

    expect(model.views[0]?.kpis.map((kpi) => [kpi.name, kpi.value])).toEqual([
      ['Client Independence Rate', '55.0%'],
      ['Customer Self-Service Adoption Rate', '72.5%'],
      ['Client Relationship Depth', '2.50'],
      ['Client Empowerment Satisfaction Score', '68.0%'],
      ['Net Promoter Score', '-10.0'],
      ['Customer Retention Rate', '92.0%'],
      ['Cost to Support', '$41.20'],
    ]);
  });

  it('names every band in words as well as colours, and cost without thresholds has no band', () => {
    const model = companyModel();

    expect(row(model, 'clientIndependenceRate').band.word).toBe('Weak');
    expect(row(model, 'selfServiceAdoptionRate').band.word).toBe('Strong');
    expect(row(model, 'relationshipDepth').band.word).toBe('Moderate');
    expect(row(model, 'costToSupportPerClient').band.word).toBe('No band');
  });

  it('says whether each move is good for that KPI: a rising cost is worse, a falling one better', () => {
    const model = companyModel();

    expect(row(model, 'selfServiceAdoptionRate').qoq).toMatchObject({
      text: '+2.4 pp',
      arrow: '▲',
      verdict: 'better',
    });
    expect(row(model, 'relationshipDepth').qoq).toMatchObject({
      text: '-0.10',
      arrow: '▼',
      verdict: 'worse',
    });
    expect(row(model, 'costToSupportPerClient').qoq).toMatchObject({
      text: '+$1.20',
      detail: '(+3.0%)',
      arrow: '▲',
      verdict: 'worse',
    });
    expect(row(model, 'costToSupportPerClient').yoy).toMatchObject({
      text: '-$8.80',
      detail: '(-17.6%)',
      arrow: '▼',
      verdict: 'better',
    });
  });

  it('calls a change that rounds to zero unchanged, with no arrow', () => {
    const model = companyModel();

    expect(row(model, 'customerRetentionRate').qoq).toMatchObject({
      text: '0.0 pp',
      arrow: '',
      verdict: 'unchanged',
    });
  });

  it('says a value was not available a year ago instead of leaving the delta blank', () => {
    const model = companyModel();

    expect(row(model, 'relationshipDepth').yoy).toMatchObject({ available: false, text: 'n/a in 2025-Q3' });
  });

  it('says plainly when the previous quarter has no data at all', () => {
    const model = companyModel(5, ['2025-Q3', '2026-Q3']);

    expect(model.views[0]?.notes).toEqual([
      'There is no data for 2026-Q2, so changes on the previous quarter cannot be shown.',
    ]);
  });

  it('states the basis of each value so a reader can judge the sample', () => {
    const model = companyModel();

    expect(row(model, 'clientIndependenceRate')).toMatchObject({
      basis: '11 of 20 served clients',
      lowSample: true,
    });
    expect(row(model, 'relationshipDepth').basis).toBe(
      '1,000 services over 400 active clients, 63% of the catalog',
    );
    expect(model.lowSampleFlags).toEqual([
      'Client Independence Rate rests on 11 of 20 served clients, below the minimum sample of 30.',
    ]);
  });
});

describe('risk warnings', () => {
  it('flag weak KPIs and drops of more than the threshold, each with its levers', () => {
    const model = companyModel(5);

    const risks = model.views[0]?.risks ?? [];
    expect(risks.map((risk) => [risk.name, risk.reasons])).toEqual([
      ['Client Independence Rate', ['55.0% is in the weak band.']],
      [
        'Client Empowerment Satisfaction Score',
        [
          '68.0% is in the weak band.',
          'Fell 8.0 pp since 2026-Q2, more than the alert threshold of 5 points.',
        ],
      ],
      ['Net Promoter Score', ['-10.0 is in the weak band.']],
    ]);
    expect(risks[0]?.levers.length).toBeGreaterThan(0);
  });

  it('judge depth and cost by their percent change', () => {
    const model = companyModel(2.5);

    const names = model.views[0]?.risks.map((risk) => [risk.name, risk.reasons.at(-1)]);
    expect(names).toContainEqual([
      'Client Relationship Depth',
      'Fell 0.10 (3.8%) since 2026-Q2, more than the alert threshold of 2.5%.',
    ]);
    expect(names).toContainEqual([
      'Cost to Support',
      'Rose $1.20 (3.0%) since 2026-Q2, more than the alert threshold of 2.5%.',
    ]);
  });
});

describe('the subject line', () => {
  it('names the company, the quarter, the biggest move and the number of risks', () => {
    const model = companyModel();

    expect(model.subject).toBe('Smith & Jones client KPIs, 2026-Q3: CESS down 8.0 pp, 3 risks');
  });
});

describe('segment highlights', () => {
  it('give the weakest and strongest segment per KPI, leaving low samples out', () => {
    const model = companyModel();

    const nps = model.segmentHighlights.find((highlight) => highlight.name === 'Net Promoter Score');
    expect(nps).toEqual({
      name: 'Net Promoter Score',
      weakest: { label: `Region: ${HOSTILE_SEGMENT}`, value: '-15.0' },
      strongest: { label: 'Region: EMEA', value: '-9.0' },
    });
    const cost = model.segmentHighlights.find((highlight) => highlight.name === 'Cost to Support');
    expect(cost?.weakest).toEqual({ label: `Region: ${HOSTILE_SEGMENT}`, value: '$61.80' });
    expect(cost?.strongest).toEqual({ label: 'Region: EMEA', value: '$37.08' });
  });
});

describe('a recipient limited to segments', () => {
  it('gets each of their segments as a view, with the company value beside it', () => {
    const { model } = buildReportModel({
      snapshot: sampleSnapshot(),
      riskDropPoints: 5,
      imageLinks: 'cid',
      recipient: {
        address: 'emea@example.com',
        name: 'Sam',
        segments: [{ dimension: 'region', value: 'EMEA' }],
      },
    });

    expect(model.views.map((view) => view.title)).toEqual(['Region: EMEA']);
    expect(model.views[0]?.kpis[1]).toMatchObject({ value: '65.3%', companyValue: '72.5%' });
    expect(model.subject).toMatch(/^Smith & Jones client KPIs, 2026-Q3 \(Region: EMEA\): /);
    expect(model.greeting).toBe('Hello Sam,');
    expect(model.hasSegmentHighlights).toBe(false);
  });

  it('fails naming the recipient when the data has no such segment', () => {
    expect(() =>
      buildReportModel({
        snapshot: sampleSnapshot(),
        riskDropPoints: 5,
        imageLinks: 'cid',
        recipient: { address: 'mars@example.com', segments: [{ dimension: 'region', value: 'Mars' }] },
      }),
    ).toThrow(
      new UnknownSegmentError(
        "mars@example.com is limited to region 'Mars', which 2026-Q3's data does not have",
      ),
    );
  });
});

describe('charts and provenance', () => {
  it('links one chart per KPI by cid in a message and by file in the saved report', () => {
    const snapshot = sampleSnapshot();

    const message = buildReportModel({ snapshot, riskDropPoints: 5, imageLinks: 'cid' });
    const saved = buildReportModel({ snapshot, riskDropPoints: 5, imageLinks: 'file' });

    expect(message.charts).toHaveLength(7);
    expect(message.model.views[0]?.kpis[0]?.chart.src).toBe('cid:trend-1-clientIndependenceRate@kpi-report');
    expect(saved.model.views[0]?.kpis[0]?.chart.src).toBe('charts/trend-1-clientIndependenceRate.png');
    expect(message.model.views[0]?.kpis[0]?.chart.alt).toContain('2026-Q3 55.0%');
  });

  it('names each file with its S3 version when there is one, else its checksum', () => {
    const model = companyModel();

    expect(model.datasets[0]?.files).toEqual([{ file: 'clients.csv', reference: 'S3 version v3Lg7' }]);
    expect(model.datasets[1]?.files).toEqual([
      { file: 'interactions.csv', reference: 'sha256 abababababab…' },
    ]);
    expect(model.datasets[4]).toMatchObject({ name: 'support_costs', present: false });
  });
});
