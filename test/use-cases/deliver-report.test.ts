/**
 * The email end to end without AWS: the worked example is computed, then rendered and
 * delivered to the outbox; the `.eml` files are read back with a real MIME parser.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createResvgRasterizer } from '../../src/adapters/charts/resvg-rasterizer';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { loadTemplateFiles } from '../../src/adapters/local/template-folder';
import { OutboxMailer } from '../../src/adapters/outbox/outbox-mailer';
import { type Config, parseConfig } from '../../src/core/config';
import { KPI_DEFINITIONS, KPI_IDS } from '../../src/core/kpi-ids';
import type { ChartRasterizer } from '../../src/core/ports';
import { parseQuarter, type Quarter } from '../../src/core/quarter';
import { formatKpiValue } from '../../src/core/report/format/format-values';
import { compileEmailTemplates, type EmailTemplates } from '../../src/core/report/templates/email-templates';
import { HTML_BUDGET_BYTES } from '../../src/core/report/templates/message-budget';
import { deliverReport } from '../../src/use-cases/deliver-report';
import { runQuarter } from '../../src/use-cases/run-quarter';
import { cloneFixture, hashExports, removeDataRoots } from '../support/export-fixtures';
import { publishAsPreviousQuarter } from '../support/prior-quarter';
import { readEml } from '../support/read-eml';

const HOSTILE = '<script>alert(1)</script>';
const QUARTER = parseQuarter('2026-Q3') as Quarter;
const NOW = new Date('2026-10-05T06:00:03.120Z');
const CONFIG: Config = parseConfig({
  companyName: 'Smith & Jones',
  rejectLimitPercent: 50,
  minimumSample: 1,
  email: {
    recipients: [
      { address: 'ceo@example.com', name: 'Alex' },
      { address: 'emea@example.com', segments: [{ dimension: 'region', value: 'EMEA' }] },
    ],
  },
});

let templates: EmailTemplates;
let rasterizer: ChartRasterizer;
beforeAll(async () => {
  templates = compileEmailTemplates(await loadTemplateFiles());
  rasterizer = await createResvgRasterizer();
});
afterEach(async () => {
  await removeDataRoots();
});

/**
 * The example, with APAC renamed to a script tag, computed and delivered to the outbox;
 * with `history`, its figures are published as 2026-Q2's first, so that it has a trend.
 */
async function deliverExample(options: { history?: boolean } = {}) {
  const root = await cloneFixture('example');
  const clients = path.join(root, 'exports/2026-Q3/clients.csv');
  await writeFile(clients, (await readFile(clients, 'utf8')).replace('APAC', HOSTILE));
  const before = await hashExports(root);
  const store = new LocalExportStore(root);
  const run = () => runQuarter({ store, config: CONFIG, quarter: QUARTER, now: NOW });
  if (options.history === true) await publishAsPreviousQuarter(store, (await run()).snapshot);
  const { snapshot } = await run();
  const result = await deliverReport({
    store,
    config: CONFIG,
    snapshot,
    templates,
    rasterizer,
    mailer: new OutboxMailer({ store, quarter: '2026-Q3' }),
    runId: 'test',
  });
  const eml = async (name: string) => readEml(await readFile(path.join(root, 'reports/2026-Q3', name)));
  return { root, before, store, snapshot, result, eml };
}

describe('delivering the worked example to the outbox', () => {
  it('writes report.html, report.txt, the CSV and one .eml per recipient, and leaves exports alone', async () => {
    const { root, before, result } = await deliverExample({ history: true });

    expect(result.outcomes.map((outcome) => [outcome.recipient, outcome.status, outcome.messageId])).toEqual([
      ['ceo@example.com', 'sent', 'reports/2026-Q3/report-ceo@example.com.eml'],
      ['emea@example.com', 'sent', 'reports/2026-Q3/report-emea@example.com.eml'],
    ]);
    for (const name of ['report.html', 'report.txt', 'kpis-2026-Q3.csv']) {
      expect((await readFile(path.join(root, 'reports/2026-Q3', name))).byteLength).toBeGreaterThan(0);
    }
    expect(await hashExports(root)).toEqual(before);
  });

  it('builds a message with text and HTML parts showing the seven KPIs as kpis.json rounds them', async () => {
    const { snapshot, eml } = await deliverExample();

    const mail = await eml('report-ceo@example.com.eml');

    expect(mail.to).toMatchObject({ value: [{ name: 'Alex', address: 'ceo@example.com' }] });
    expect(mail.subject).toMatch(/^First quarter on record, .* · Smith & Jones 2026-Q3$/);
    expect(mail.text).toBeTruthy();
    expect(mail.html).toBeTruthy();
    for (const id of KPI_IDS) {
      const shown = formatKpiValue(id, snapshot.kpis[id].value, 'USD');
      expect(mail.text).toContain(`${KPI_DEFINITIONS[id].name}: ${shown}`);
      expect(mail.html).toContain(`${shown}`);
    }
    expect(mail.text).toContain(
      '2026-Q3 is the first quarter on record, so there are no changes to compare yet.',
    );
  });

  it('has no trend section and no images in the first quarter on record', async () => {
    const { eml } = await deliverExample();

    const mail = await eml('report-ceo@example.com.eml');

    expect(mail.attachments.filter((part) => part.contentType === 'image/png')).toEqual([]);
    expect(mail.html).not.toContain('the last 1 quarters');
  });

  it('embeds every chart as an inline PNG referenced from the HTML by its Content-ID', async () => {
    const { eml } = await deliverExample({ history: true });

    const mail = await eml('report-ceo@example.com.eml');

    const images = mail.attachments.filter((part) => part.contentType === 'image/png');
    expect(images).toHaveLength(7);
    for (const image of images) {
      expect(image.contentDisposition).toBe('inline');
      expect(mail.html).toContain(`src="cid:${image.cid}"`);
      expect(image.content.subarray(1, 4).toString('latin1')).toBe('PNG');
    }
  });

  it('attaches the CSV with every KPI of the company and every segment, as in kpis.json', async () => {
    const { snapshot, eml } = await deliverExample();

    const mail = await eml('report-ceo@example.com.eml');

    const csv = mail.attachments.find((part) => part.filename === 'kpis-2026-Q3.csv');
    expect(csv?.contentType).toBe('text/csv');
    const lines =
      csv?.content
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n') ?? [];
    const segmentCount = Object.values(snapshot.segments).reduce(
      (sum, values) => sum + Object.keys(values).length,
      0,
    );
    expect(lines).toHaveLength(1 + 7 * (1 + segmentCount));
    const retention = lines.find((line) => line.startsWith('2026-Q3,company,,,customerRetentionRate,'));
    expect(retention?.split(',')[7]).toBe(String(snapshot.kpis.customerRetentionRate.value));
  });

  it('escapes a segment named like a script and a company name with &', async () => {
    const { eml } = await deliverExample();

    const mail = await eml('report-ceo@example.com.eml');

    expect(mail.html).not.toContain(HOSTILE);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('Smith &amp; Jones');
    expect(mail.html).not.toContain('Smith & Jones');
  });

  it('gives a recipient limited to EMEA the EMEA view and only EMEA rows in the CSV', async () => {
    const { snapshot, eml } = await deliverExample();

    const mail = await eml('report-emea@example.com.eml');

    expect(mail.subject).toMatch(/^First quarter on record, .* · Smith & Jones 2026-Q3$/);
    expect(mail.text).toContain('2026-Q3 report: Region: EMEA');
    const emea = snapshot.segments.region?.EMEA;
    expect(mail.text).toContain(
      `Client Independence Rate: ${formatKpiValue('clientIndependenceRate', emea?.clientIndependenceRate.value ?? null, 'USD')}`,
    );
    const csv = mail.attachments.find((part) => part.filename === 'kpis-2026-Q3.csv');
    const rows = csv?.content.toString('utf8').trimEnd().split('\r\n').slice(1) ?? [];
    expect(rows).toHaveLength(7);
    expect(rows.every((row) => row.startsWith('2026-Q3,segment,region,EMEA,'))).toBe(true);
  });

  it('keeps each message’s HTML within its budget, and saves report.html with its charts inlined', async () => {
    const { root, eml } = await deliverExample({ history: true });

    const mail = await eml('report-ceo@example.com.eml');
    const saved = await readFile(path.join(root, 'reports/2026-Q3/report.html'), 'utf8');

    expect(Buffer.byteLength(String(mail.html))).toBeLessThan(HTML_BUDGET_BYTES);
    expect(saved.match(/src="data:image\/png;base64,/g)).toHaveLength(7);
    expect(saved).not.toMatch(/src="(?!data:)/);
  });

  it('gives every message Content-IDs of its own', async () => {
    const { eml } = await deliverExample({ history: true });

    const ceo = await eml('report-ceo@example.com.eml');
    const emea = await eml('report-emea@example.com.eml');

    const cids = [...ceo.attachments, ...emea.attachments].flatMap((part) => (part.cid ? [part.cid] : []));
    expect(cids).toHaveLength(14);
    expect(new Set(cids).size).toBe(14);
  });
});
