/**
 * The report email in its hard cases (test/support/hard-cases.ts), each delivered through
 * the real templates, chart rasteriser and MIME composer to an outbox and read back with a
 * MIME parser: the size budgets hold, the subject and "needs attention" cite no change on a
 * low sample or within the noise, a missing dataset is said first, nothing says
 * "0 responses", and each recipient is told what their attachment holds.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createResvgRasterizer } from '../../src/adapters/charts/resvg-rasterizer';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { loadTemplateFiles } from '../../src/adapters/local/template-folder';
import { OutboxMailer, outboxKey } from '../../src/adapters/outbox/outbox-mailer';
import { parseConfig } from '../../src/core/config';
import type { ChartRasterizer } from '../../src/core/ports';
import { MAX_SEGMENT_ROWS } from '../../src/core/report/model/segment-tables';
import { SUBJECT_MAX_LENGTH } from '../../src/core/report/model/summary';
import { compileEmailTemplates, type EmailTemplates } from '../../src/core/report/templates/email-templates';
import { HTML_BUDGET_BYTES, MESSAGE_BUDGET_BYTES } from '../../src/core/report/templates/message-budget';
import type { Snapshot } from '../../src/core/snapshot';
import { deliverReport } from '../../src/use-cases/deliver-report';
import { createDataRoot, removeDataRoots } from '../support/export-fixtures';
import {
  type DeliveredCase,
  deliverHardCase,
  HARD_CASES,
  type HardCase,
  hardCase,
} from '../support/hard-cases';
import { readEml } from '../support/read-eml';

let templates: EmailTemplates;
let rasterizer: ChartRasterizer;
beforeAll(async () => {
  templates = compileEmailTemplates(await loadTemplateFiles());
  rasterizer = await createResvgRasterizer();
});

/** The plain-text part's "needs attention" section, or empty. */
function attentionSection(text: string): string {
  const start = text.indexOf('NEEDS ATTENTION');
  if (start === -1) return '';
  const end = text.indexOf('\n\n', start);
  return text.slice(start, end === -1 ? undefined : end);
}

const html = (message: DeliveredCase['messages'][number]) => String(message.mail.html);
const text = (message: DeliveredCase['messages'][number]) => String(message.mail.text);

describe.each(HARD_CASES)('the email in the %s case', (name: HardCase) => {
  let delivered: DeliveredCase;
  beforeAll(async () => {
    delivered = await deliverHardCase(name, { templates, rasterizer });
    return removeDataRoots;
  }, 120_000);

  it('keeps every message’s HTML under 90 KB and the whole message under 1 MB', () => {
    // Act
    const sizes = delivered.messages.map((message) => ({
      recipient: message.recipient.address,
      htmlBytes: Buffer.byteLength(html(message)),
      messageBytes: message.raw.byteLength,
    }));
    const largest = sizes.reduce((a, b) => (b.messageBytes > a.messageBytes ? b : a));
    console.log(
      `${name}: largest message ${(largest.messageBytes / 1024).toFixed(1)} KB (${largest.recipient}); ` +
        `HTML parts ${sizes.map((size) => `${(size.htmlBytes / 1024).toFixed(1)} KB`).join(', ')}`,
    );

    // Assert
    for (const size of sizes) {
      expect(size.htmlBytes, `HTML for ${size.recipient}`).toBeLessThan(HTML_BUDGET_BYTES);
      expect(size.messageBytes, `message for ${size.recipient}`).toBeLessThan(MESSAGE_BUDGET_BYTES);
    }
    expect(delivered.result.budgetWarnings).toEqual([]);
  });

  it('cites no change on a low sample or within the noise in the subject or "needs attention"', () => {
    for (const message of delivered.messages) {
      const subject = message.mail.subject ?? '';
      expect(subject.length, subject).toBeLessThanOrEqual(SUBJECT_MAX_LENGTH);
      for (const move of delivered.forbiddenMoves) {
        expect(subject, `subject for ${message.recipient.address}`).not.toContain(move);
        expect(attentionSection(text(message)), `attention for ${message.recipient.address}`).not.toContain(
          move,
        );
      }
    }
  });

  it('never says "0 responses"', () => {
    for (const message of delivered.messages) {
      expect(html(message)).not.toMatch(/\b0 responses/);
      expect(text(message)).not.toMatch(/\b0 responses/);
    }
  });

  it('tells each recipient what their attachment holds, and attaches just that', () => {
    for (const message of delivered.messages) {
      const segments = message.recipient.segments;
      const csv = message.mail.attachments.find(
        (part) => part.filename === `kpis-${delivered.snapshot.quarter}.csv`,
      );
      const rows =
        csv?.content
          .toString('utf8')
          .replace(/^\uFEFF/, '')
          .trimEnd()
          .split('\r\n')
          .slice(1) ?? [];
      if (segments === undefined) {
        expect(text(message)).toContain('Every figure for the company and each segment is in the attached');
        expect(rows.some((row) => row.includes(',company,'))).toBe(true);
      } else {
        const audience =
          segments.length === 1 ? `Region: ${segments[0]?.value}` : `${segments.length} segments`;
        expect(text(message)).toContain(`Every figure for ${audience} is in the attached kpis-2026-Q3.csv.`);
        expect(rows).toHaveLength(7 * segments.length);
        expect(rows.every((row) => row.startsWith('2026-Q3,segment,region,'))).toBe(true);
      }
    }
  });

  it('says what is missing before the first KPI', () => {
    for (const message of delivered.messages) {
      const firstTable = html(message).search(/<table class="(headline|segment-kpi)"/);
      const firstKpi = text(message).search(/^Client Independence Rate: /m);
      if (delivered.missingDataset === undefined) {
        expect(html(message)).not.toContain('Missing this quarter');
        continue;
      }
      const sentence = `${delivered.missingDataset} was not provided for 2026-Q3, so Client Empowerment Satisfaction Score and Net Promoter Score are not available.`;
      expect(html(message).indexOf(sentence)).toBeGreaterThan(0);
      expect(html(message).indexOf(sentence)).toBeLessThan(firstTable);
      expect(text(message).indexOf(sentence)).toBeLessThan(firstKpi);
      expect(message.mail.text).toContain('Net Promoter Score: not available');
    }
  });
});

describe('the hard cases’ particulars', () => {
  it('keep 150 low-sample regions out of the news: steady, nothing needs attention', async () => {
    // Act
    const delivered = await deliverHardCase('regions-150', { templates, rasterizer });

    // Assert
    const [ceo, all, one] = delivered.messages;
    expect(all?.mail.subject).toBe('KPIs steady within noise · Smith & Jones 2026-Q3');
    expect(one?.mail.subject).toBe('KPIs steady within noise · Smith & Jones 2026-Q3');
    expect(attentionSection(String(all?.mail.text))).toBe('');
    expect(attentionSection(String(one?.mail.text))).toBe('');
    expect(ceo?.mail.subject).toBe('CESS down 8.0 pp, 2 need attention · Smith & Jones 2026-Q3');
    expect(String(all?.mail.text)).toContain(
      `And ${150 - MAX_SEGMENT_ROWS} more segments, in the attachment.`,
    );
    await removeDataRoots();
  }, 120_000);

  it('name the clearest change among 8 segments, not the larger one within the noise', async () => {
    const delivered = await deliverHardCase('eight-segments', { templates, rasterizer });

    expect(delivered.messages[0]?.mail.subject).toMatch(
      /^Region 02 – North-Eastern Territories Retention up 3\.0 pp, .* · 2026-Q3$/,
    );
    await removeDataRoots();
  }, 120_000);

  it('have no trend section and no images in the first quarter', async () => {
    const delivered = await deliverHardCase('first-quarter', { templates, rasterizer });

    for (const message of delivered.messages) {
      expect(message.mail.subject).toMatch(/^First quarter on record/);
      expect(message.mail.attachments.filter((part) => part.contentType === 'image/png')).toEqual([]);
      expect(String(message.mail.html)).not.toMatch(/the last \d+ quarters/);
    }
    await removeDataRoots();
  }, 120_000);

  it('leave a CSV too large to attach in the report folder, and say where it is', async () => {
    // Arrange: 3,000 segments make a CSV of several MB.
    const { snapshot } = hardCase('company');
    const region = snapshot.segments.region?.EMEA;
    if (region === undefined) throw new Error('sample changed');
    const many: Snapshot = {
      ...snapshot,
      segments: {
        region: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`Region ${i}`, region])),
      },
    };
    const root = await createDataRoot();
    const store = new LocalExportStore(root);
    const events: string[] = [];

    // Act
    const result = await deliverReport({
      store,
      config: parseConfig({ email: { recipients: [{ address: 'ceo@example.com' }] } }),
      snapshot: many,
      templates,
      rasterizer,
      mailer: new OutboxMailer({ store, quarter: '2026-Q3' }),
      runId: 'large',
      onEvent: (line) => events.push(line),
    });

    // Assert
    const raw = await readFile(path.join(root, outboxKey('2026-Q3', 'ceo@example.com')));
    const mail = await readEml(raw);
    expect(raw.byteLength).toBeLessThan(MESSAGE_BUDGET_BYTES);
    expect(mail.attachments.some((part) => part.filename === 'kpis-2026-Q3.csv')).toBe(false);
    expect(mail.text).toContain(
      'Every figure for the company and each segment is in kpis-2026-Q3.csv, too large to attach; it is in the report folder, reports/2026-Q3/.',
    );
    expect(result.budgetWarnings).toEqual([]);
    expect((await stat(path.join(root, 'reports/2026-Q3/kpis-2026-Q3.csv'))).size).toBeGreaterThan(
      MESSAGE_BUDGET_BYTES,
    );
    await removeDataRoots();
  }, 120_000);

  it('warn, naming the recipient, when a custom template passes the HTML budget', async () => {
    // Arrange: a custom definitions partial that repeats itself.
    const files = (await loadTemplateFiles()).map((file) =>
      file.name === 'partials/definitions.hbs' ? { ...file, text: file.text.repeat(150) } : file,
    );
    const bloated = compileEmailTemplates(files);
    const events: string[] = [];
    const root = await createDataRoot();
    const store = new LocalExportStore(root);

    // Act
    const result = await deliverReport({
      store,
      config: parseConfig({ email: { recipients: [{ address: 'ceo@example.com' }] } }),
      snapshot: hardCase('company').snapshot,
      templates: bloated,
      rasterizer,
      mailer: new OutboxMailer({ store, quarter: '2026-Q3' }),
      runId: 'bloated',
      onEvent: (line) => events.push(line),
    });

    // Assert
    expect(result.budgetWarnings).toEqual([
      expect.stringMatching(
        /^the message for ceo@example\.com has \d+\.\d KB of HTML, over the 90\.0 KB budget/,
      ),
    ]);
    expect(events).toContainEqual(expect.stringMatching(/^Warning: the message for ceo@example\.com has/));
    await removeDataRoots();
  }, 120_000);
});
