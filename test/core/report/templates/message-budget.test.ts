/**
 * The size budget of a message (message-budget.ts): the estimate bounds the real MIME size,
 * and the built-in templates stay within the HTML budget in the worst configuration, so a
 * template change that would pass it fails here, before any recipient's Gmail clips it.
 */
import { describe, expect, it } from 'vitest';
import { loadTemplateFiles } from '../../../../src/adapters/local/template-folder';
import { composeMime } from '../../../../src/adapters/mime/compose-mime';
import { KPI_IDS, type KpiId } from '../../../../src/core/kpi-ids';
import { buildReportModel } from '../../../../src/core/report/model/build-report-model';
import { compileEmailTemplates } from '../../../../src/core/report/templates/email-templates';
import {
  budgetProblems,
  estimateMessageBytes,
  HTML_BUDGET_BYTES,
} from '../../../../src/core/report/templates/message-budget';
import type { KpiResults, Snapshot } from '../../../../src/core/snapshot';
import { BLUE_PNG, sampleOutgoingMessage } from '../../../support/sample-outgoing-message';
import { SAMPLE_COMPANY, type SampleKpi, sampleKpi, sampleSnapshot } from '../../../support/sample-snapshot';

/** Every KPI weak, short of a target and down by far more than the noise: the most to say. */
function worstResults(): KpiResults {
  const worst: Partial<Record<KpiId, SampleKpi>> = {
    clientIndependenceRate: { value: 20, previous: 60, interval: [19, 21], qoqNoise: true },
    selfServiceAdoptionRate: { value: 20, previous: 60, interval: [19, 21], qoqNoise: true },
    relationshipDepth: { value: 1, previous: 3, shareOfCatalog: 10, interval: [0.9, 1.1], qoqNoise: true },
    empowermentSatisfactionScore: { value: 20, previous: 60, interval: [19, 21], qoqNoise: true },
    netPromoterScore: { value: -90, previous: 60, interval: [-95, -85], qoqNoise: true },
    customerRetentionRate: { value: 20, previous: 90, interval: [19, 21], qoqNoise: true },
    costToSupportPerClient: { value: 9000, previous: 100, interval: [8900, 9100], qoqNoise: true },
  };
  return Object.fromEntries(
    KPI_IDS.map((id) => [id, sampleKpi(id, { ...SAMPLE_COMPANY[id], ...worst[id], lowSample: false })]),
  ) as KpiResults;
}

function worstSnapshot(segments: number): Snapshot {
  const snapshot = sampleSnapshot({
    companyName: 'A'.repeat(300),
    targets: Object.fromEntries(KPI_IDS.map((id) => [id, { value: 50, direction: 'higher' as const }])),
  });
  const names = Array.from(
    { length: segments },
    (_, index) => `${'Very long segment name '.repeat(10)}${index}`,
  );
  const file = (index: number) => ({
    file: `part-${index}.csv.gz`,
    bytes: 1,
    sha256: 'ab'.repeat(32),
    rows: 1,
  });
  return {
    ...snapshot,
    kpis: worstResults(),
    segments: { region: Object.fromEntries(names.map((name) => [name, worstResults()])) },
    dataQuality: {
      ...snapshot.dataQuality,
      interactions: {
        ...snapshot.dataQuality.interactions,
        files: Array.from({ length: 400 }, (_, index) => file(index)),
      },
    },
    warnings: Array.from({ length: 200 }, (_, index) => `warning ${index}: ${'x'.repeat(200)}`),
  };
}

describe('the message budget', () => {
  it('estimates no less than the MIME message really takes', async () => {
    // Arrange
    const message = sampleOutgoingMessage({
      html: `<p>${'Zoë '.repeat(5000)}</p>`,
      inlineImages: [{ cid: 'a@kpi-report', contentType: 'image/png', content: new Uint8Array(BLUE_PNG) }],
    });

    // Act
    const raw = await composeMime(message);
    const estimate = estimateMessageBytes({
      html: message.html,
      text: message.text,
      images: message.inlineImages.map((image) => image.content),
      attachments: message.attachments.map((attachment) => attachment.content),
    });

    // Assert
    expect(estimate).toBeGreaterThanOrEqual(raw.byteLength);
  });

  it('names the recipient and the size when a message is over', () => {
    const problems = budgetProblems('ceo@example.com', {
      html: 'x'.repeat(HTML_BUDGET_BYTES + 1),
      text: '',
      images: [],
      attachments: ['y'.repeat(1024 * 1024)],
    });

    expect(problems).toEqual([
      expect.stringMatching(
        /^the message for ceo@example\.com has 90\.0 KB of HTML, over the 90\.0 KB budget/,
      ),
      expect.stringMatching(
        /^the message for ceo@example\.com is about 1\d{3}\.\d KB, over the 1024\.0 KB budget/,
      ),
    ]);
  });

  it.each([
    ['the company, with 300 segments', undefined],
    ['a recipient of 300 segments', 300],
    ['a recipient of one segment', 1],
  ])('holds for the built-in templates in the worst configuration: %s', async (_, limitedTo) => {
    // Arrange
    const templates = compileEmailTemplates(await loadTemplateFiles());
    const snapshot = worstSnapshot(300);
    const names = Object.keys(snapshot.segments.region ?? {});
    const recipient =
      limitedTo === undefined
        ? { address: 'ceo@example.com', name: 'B'.repeat(200) }
        : {
            address: 'lead@example.com',
            segments: names.slice(0, limitedTo).map((value) => ({ dimension: 'region', value })),
          };

    // Act
    const { model } = buildReportModel({
      snapshot,
      riskDropPoints: 5,
      recipient,
      cidToken: `2026-Q3.${'0'.repeat(36)}`,
      viewOnlineUrl: `https://bucket.s3.amazonaws.com/online.html?${'X-Amz-Security-Token=x&'.repeat(60)}`,
      unsubscribeAddress: 'kpi-owner@example.com',
    });
    const html = templates.render(model).html;

    // Assert
    expect(model.hasAttention).toBe(true);
    expect(Buffer.byteLength(html)).toBeLessThan(HTML_BUDGET_BYTES);
  });
});
