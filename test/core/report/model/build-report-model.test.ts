import { describe, expect, it } from 'vitest';
import type { KpiId } from '../../../../src/core/kpi-ids';
import { buildReportModel, UnknownSegmentError } from '../../../../src/core/report/model/build-report-model';
import type { Snapshot } from '../../../../src/core/snapshot';
import { HOSTILE_SEGMENT, sampleSnapshot } from '../../../support/sample-snapshot';

function companyModel(
  options: { riskDropPoints?: number; quarters?: readonly string[]; targets?: Snapshot['targets'] } = {},
) {
  return buildReportModel({
    snapshot: sampleSnapshot({
      ...(options.quarters !== undefined && { quarters: options.quarters }),
      ...(options.targets !== undefined && { targets: options.targets }),
    }),
    riskDropPoints: options.riskDropPoints ?? 5,
    cidToken: 'test',
  }).model;
}

function row(model: ReturnType<typeof companyModel>, id: KpiId) {
  const found = model.views[0]?.kpis.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no row for ${id}`);
  return found;
}

describe('the report model of the company view', () => {
  it('shows the seven KPIs in the spec order, rounded as the CLI rounds them, with their units', () => {
    const model = companyModel();

    expect(model.views[0]?.kpis.map((kpi) => [kpi.name, kpi.value, kpi.unit])).toEqual([
      ['Client Independence Rate', '55.0%', ''],
      ['Customer Self-Service Adoption Rate', '72.5%', ''],
      ['Client Relationship Depth', '2.50', 'services per client'],
      ['Client Empowerment Satisfaction Score', '68.0%', ''],
      ['Net Promoter Score', '-10.0', '(−100 to 100)'],
      ['Customer Retention Rate', '92.0%', ''],
      ['Cost to Support', '$41.20', 'per client'],
    ]);
  });

  it('names every band in words, and compares Cost to Support without a band with its own average', () => {
    const model = companyModel();

    expect(row(model, 'clientIndependenceRate').band.word).toBe('Weak');
    expect(row(model, 'selfServiceAdoptionRate').band.word).toBe('Strong');
    expect(row(model, 'relationshipDepth').band.word).toBe('Moderate');
    // Earlier quarters in the trend: 50.00, 40.20 and 40.00; their mean is 43.40.
    expect(row(model, 'costToSupportPerClient').band).toMatchObject({
      word: 'Below average',
      note: 'average of the 3 earlier quarters: $43.40',
    });
  });

  it('calls a change within the noise "unchanged within noise", without an arrow or colour', () => {
    const model = companyModel();

    expect(row(model, 'selfServiceAdoptionRate').qoq).toMatchObject({
      text: '+2.4 pp',
      arrow: '',
      verdict: 'noise',
      verdictText: 'unchanged within noise',
      color: '#4b5563',
    });
    expect(row(model, 'costToSupportPerClient').qoq).toMatchObject({
      text: '+$1.20',
      detail: '(+3.0%)',
      verdict: 'noise',
    });
  });

  it('says whether a change outside the noise is good for that KPI: a falling cost is better', () => {
    const model = companyModel();

    expect(row(model, 'selfServiceAdoptionRate').yoy).toMatchObject({
      text: '+11.5 pp',
      arrow: '▲',
      verdict: 'better',
    });
    expect(row(model, 'empowermentSatisfactionScore').qoq).toMatchObject({
      text: '-8.0 pp',
      arrow: '▼',
      verdict: 'worse',
    });
    expect(row(model, 'costToSupportPerClient').yoy).toMatchObject({
      text: '-$8.80',
      detail: '(-17.6%)',
      arrow: '▼',
      verdict: 'better',
    });
  });

  it('judges a change without a noise flag (a snapshot from before intervals) by its direction', () => {
    const snapshot = sampleSnapshot();
    const { deltaQoQOutsideNoise: _, ...older } = snapshot.kpis.selfServiceAdoptionRate;
    snapshot.kpis.selfServiceAdoptionRate = older;

    const model = buildReportModel({ snapshot, riskDropPoints: 5, cidToken: 'test' }).model;

    expect(row(model, 'selfServiceAdoptionRate').qoq).toMatchObject({ arrow: '▲', verdict: 'better' });
  });

  it('says so, rather than "steady within noise", when the snapshot predates noise flags', () => {
    // Arrange: a snapshot as written before intervals existed.
    const snapshot = sampleSnapshot();
    for (const result of Object.values(snapshot.kpis)) {
      delete result.interval;
      delete result.deltaQoQOutsideNoise;
      delete result.deltaYoYOutsideNoise;
    }

    // Act
    const { model } = buildReportModel({ snapshot, riskDropPoints: 5, cidToken: 'test' });

    // Assert
    expect(model.summary[0]).toBe(
      "Changes since 2026-Q2 are not judged against their noise: this quarter's kpis.json was written before intervals existed (run the quarter again to add them).",
    );
    expect(model.subject).toMatch(/^Client KPIs, 2 need attention · /);
  });

  it('calls a change that rounds to zero unchanged, with no arrow', () => {
    const model = companyModel();

    expect(row(model, 'customerRetentionRate').qoq).toMatchObject({
      text: '0.0 pp',
      arrow: '',
      verdict: 'unchanged',
    });
  });

  it('says a value was not available a year ago instead of leaving the change blank', () => {
    const model = companyModel();

    expect(row(model, 'relationshipDepth').yoy).toMatchObject({
      available: false,
      text: 'not available in 2025-Q3',
    });
  });

  it('says plainly when the previous quarter has no data at all', () => {
    const model = companyModel({ quarters: ['2025-Q3', '2026-Q3'] });

    expect(model.notes).toEqual([
      'There is no data for 2026-Q2, so changes on the previous quarter cannot be shown.',
    ]);
    expect(model.summary[0]).toBe(
      'There is no data for 2026-Q2, so changes on last quarter cannot be shown.',
    );
  });

  it('states the basis and the 95% interval of each value so a reader can judge it', () => {
    const model = companyModel();

    expect(row(model, 'clientIndependenceRate')).toMatchObject({
      basis: '11 of 20 served clients',
      interval: '95% interval 34.2% to 74.2%',
      lowSample: true,
    });
    expect(row(model, 'relationshipDepth').basis).toBe(
      '1,000 services over 400 active clients, 63% of the catalog',
    );
    expect(model.lowSampleFlags).toEqual([
      'Client Independence Rate rests on 11 of 20 served clients, below the minimum sample of 30.',
    ]);
  });

  it('shows each target with the gap now and last quarter, judged in the target’s direction', () => {
    const model = companyModel({
      targets: {
        selfServiceAdoptionRate: { value: 75, direction: 'higher' },
        costToSupportPerClient: { value: 45, direction: 'lower' },
        customerRetentionRate: { value: 95, direction: 'higher' },
      },
    });

    expect(row(model, 'selfServiceAdoptionRate').target).toMatchObject({
      has: true,
      value: '75.0%',
      gap: '2.5 pp short',
      before: '4.9 pp short in 2026-Q2',
      met: false,
    });
    expect(row(model, 'costToSupportPerClient').target).toMatchObject({
      value: '$45.00',
      gap: 'met',
      met: true,
    });
    expect(row(model, 'netPromoterScore').target.has).toBe(false);
  });
});

describe('needs attention', () => {
  it('lists weak KPIs and drops larger than the threshold and the noise, never a low-sample KPI', () => {
    const model = companyModel();

    expect(model.attention.map((item) => [item.name, item.reasons])).toEqual([
      [
        'Client Empowerment Satisfaction Score',
        [
          '68.0% is in the weak band.',
          'Fell 8.0 pp to 68.0% since 2026-Q2, more than the alert threshold of 5 points and more than the noise.',
        ],
      ],
      ['Net Promoter Score', ['-10.0 is in the weak band.']],
    ]);
    expect(model.attention[0]?.levers.length).toBeGreaterThan(0);
  });

  it('adds a missed target', () => {
    const model = companyModel({ targets: { selfServiceAdoptionRate: { value: 75, direction: 'higher' } } });

    expect(model.attention.find((item) => item.id === 'selfServiceAdoptionRate')?.reasons).toEqual([
      '2.5 pp short of the 75.0% target.',
    ]);
  });

  it('leaves out a drop larger than the threshold that is within the noise', () => {
    // Cost rose 3.0%, more than 2.5%, but within its noise.
    const model = companyModel({ riskDropPoints: 2.5 });

    expect(model.attention.map((item) => item.id)).not.toContain('costToSupportPerClient');
  });
});

describe('the subject and the summary', () => {
  it('put the clearest change outside the noise first, then what needs attention, within 70 characters', () => {
    const model = companyModel();

    expect(model.subject).toBe('CESS down 8.0 pp, 2 need attention · Smith & Jones 2026-Q3');
    expect(model.subject.length).toBeLessThanOrEqual(70);
  });

  it('summarise in sentences whose figures are those of kpis.json, the same as the preheader', () => {
    const model = companyModel({ targets: { customerRetentionRate: { value: 95, direction: 'higher' } } });

    expect(model.summary).toEqual([
      'Client Empowerment Satisfaction Score fell 8.0 pp to 68.0% since 2026-Q2, the only change larger than its noise.',
      '3 KPIs need attention: CESS (68.0% is in the weak band), NPS (-10.0 is in the weak band) and Retention (3.0 pp short of the 95.0% target).',
      'The target is not met.',
    ]);
    expect(model.preheader).toBe(model.summary.join(' '));
  });

  it('drop the company name before the news when the subject would be too long', () => {
    const { model } = buildReportModel({
      snapshot: sampleSnapshot({ companyName: 'The Very Long Name of a Holding Company Group Ltd' }),
      riskDropPoints: 5,
      cidToken: 'test',
    });

    expect(model.subject).toBe('CESS down 8.0 pp, 2 need attention · 2026-Q3 KPIs');
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

  it('never name clients without a value for the dimension as a segment', () => {
    const snapshot = sampleSnapshot();
    const best = snapshot.segments.region?.[HOSTILE_SEGMENT];
    if (best === undefined) throw new Error('sample changed');
    snapshot.segments.industry = { '(unspecified)': best, Retail: best };

    const model = buildReportModel({ snapshot, riskDropPoints: 5, cidToken: 'test' }).model;

    const labels = model.segmentHighlights.flatMap((item) => [item.weakest.label, item.strongest.label]);
    expect(labels).not.toContain('Industry: (unspecified)');
  });
});

describe('a recipient limited to segments', () => {
  it('gets their one segment as a full view, with the company value beside it', () => {
    const { model, charts } = buildReportModel({
      snapshot: sampleSnapshot(),
      riskDropPoints: 5,
      cidToken: 'test',
      recipient: {
        address: 'emea@example.com',
        name: 'Sam',
        segments: [{ dimension: 'region', value: 'EMEA' }],
      },
    });

    expect(model.views.map((view) => view.title)).toEqual(['Region: EMEA']);
    expect(model.views[0]?.kpis[1]).toMatchObject({ value: '65.3%', companyValue: '72.5%' });
    // Segment values are the company's scaled, on the company's previous values: 61.2 − 76.
    expect(model.subject).toMatch(/^EMEA CESS down 14\.8 pp, /);
    expect(model.greeting).toBe('Hello Sam,');
    expect(model.hasSegmentHighlights).toBe(false);
    expect(charts).toHaveLength(7);
    expect(model.attachmentSentence).toBe(
      'Every figure for Region: EMEA is in the attached kpis-2026-Q3.csv.',
    );
  });

  it('gets compact tables for several segments, each after the company, and no charts', () => {
    const { model, charts } = buildReportModel({
      snapshot: sampleSnapshot(),
      riskDropPoints: 5,
      cidToken: 'test',
      recipient: {
        address: 'lead@example.com',
        segments: [
          { dimension: 'region', value: 'EMEA' },
          { dimension: 'region', value: 'NA' },
        ],
      },
    });

    expect(model.views).toEqual([]);
    expect(charts).toEqual([]);
    expect(model.segmentTables).toHaveLength(7);
    expect(model.segmentTables[3]?.rows).toEqual([
      {
        label: 'Company',
        value: '68.0%',
        band: 'weak',
        change: '-8.0 pp worse',
        color: '#b91c1c',
        lowSample: false,
      },
      {
        label: 'EMEA',
        value: '61.2%',
        band: 'weak',
        change: '-14.8 pp worse',
        color: '#b91c1c',
        lowSample: false,
      },
      {
        label: 'NA',
        value: '74.8%',
        band: 'moderate',
        change: '-1.2 pp worse',
        color: '#b91c1c',
        lowSample: false,
      },
    ]);
    expect(model.audience).toBe('2 segments');
    expect(model.attachmentSentence).toBe('Every figure for 2 segments is in the attached kpis-2026-Q3.csv.');
  });

  it('fails naming the recipient when the data has no such segment', () => {
    expect(() =>
      buildReportModel({
        snapshot: sampleSnapshot(),
        riskDropPoints: 5,
        cidToken: 'test',
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
  it('links one chart per KPI by a Content-ID that carries the message’s token', () => {
    const snapshot = sampleSnapshot();

    const first = buildReportModel({ snapshot, riskDropPoints: 5, cidToken: 'first' });
    const second = buildReportModel({ snapshot, riskDropPoints: 5, cidToken: 'second' });

    expect(first.charts).toHaveLength(7);
    expect(first.model.views[0]?.kpis[0]?.chart?.src).toBe('cid:clientIndependenceRate.1.first@kpi-report');
    const cids = new Set([...first.charts, ...second.charts].map((chart) => chart.cid));
    expect(cids.size).toBe(14);
    expect(first.model.views[0]?.kpis[0]?.chart?.alt).toContain('2026-Q3 55.0%');
  });

  it('has no trend section when there is only one quarter', () => {
    const model = companyModel({ quarters: ['2026-Q3'] });

    expect(model.views[0]?.hasTrends).toBe(false);
    expect(model.views[0]?.kpis.map((kpi) => kpi.chart)).toEqual(Array(7).fill(null));
    expect(model.summary[0]).toBe(
      '2026-Q3 is the first quarter on record, so there are no changes to compare yet.',
    );
    expect(model.subject).toMatch(/^First quarter on record, /);
  });

  it('names each file with its S3 version when there is one, else its checksum', () => {
    const model = companyModel();

    expect(model.datasets[0]?.files).toEqual([{ file: 'clients.csv', reference: 'S3 version v3Lg7' }]);
    expect(model.datasets[1]?.files).toEqual([
      { file: 'interactions.csv', reference: 'sha256 abababababab…' },
    ]);
  });
});
