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
import { compileEmailTemplates, type EmailTemplates } from '../../src/core/email/email-templates';
import { KPI_DEFINITIONS, KPI_IDS } from '../../src/core/kpi-ids';
import type { ChartRasterizer } from '../../src/core/ports';
import { parseQuarter, type Quarter } from '../../src/core/quarter';
import { formatKpiValue } from '../../src/core/report/format-values';
import { deliverReport } from '../../src/use-cases/deliver-report';
import { runQuarter } from '../../src/use-cases/run-quarter';
import { cloneFixture, hashExports, removeDataRoots } from '../support/export-fixtures';
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

/** The example, with APAC renamed to a script tag, computed and delivered to the outbox. */
async function deliverExample() {
  const root = await cloneFixture('example');
  const clients = path.join(root, 'exports/2026-Q3/clients.csv');
  await writeFile(clients, (await readFile(clients, 'utf8')).replace('APAC', HOSTILE));
  const before = await hashExports(root);
  const store = new LocalExportStore(root);
  const { snapshot } = await runQuarter({ store, config: CONFIG, quarter: QUARTER, now: NOW });
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
  it('writes report.html, report.txt, the CSV, the charts and one .eml per recipient, and leaves exports alone', async () => {
    const { root, before, result } = await deliverExample();

    expect(result.outcomes.map((outcome) => [outcome.recipient, outcome.status, outcome.messageId])).toEqual([
      ['ceo@example.com', 'sent', 'reports/2026-Q3/report-ceo@example.com.eml'],
      ['emea@example.com', 'sent', 'reports/2026-Q3/report-emea@example.com.eml'],
    ]);
    for (const name of [
      'report.html',
      'report.txt',
      'kpis-2026-Q3.csv',
      'charts/trend-1-netPromoterScore.png',
    ]) {
      expect((await readFile(path.join(root, 'reports/2026-Q3', name))).byteLength).toBeGreaterThan(0);
    }
    expect(await hashExports(root)).toEqual(before);
  });

  it('builds a message with text and HTML parts showing the seven KPIs as kpis.json rounds them', async () => {
    const { snapshot, eml } = await deliverExample();

    const mail = await eml('report-ceo@example.com.eml');

    expect(mail.to).toMatchObject({ text: 'ceo@example.com' });
    expect(mail.subject).toMatch(/^Smith & Jones client KPIs, 2026-Q3: /);
    expect(mail.text).toBeTruthy();
    expect(mail.html).toBeTruthy();
    for (const id of KPI_IDS) {
      const shown = formatKpiValue(id, snapshot.kpis[id].value, 'USD');
      expect(mail.text).toContain(`${KPI_DEFINITIONS[id].name}: ${shown}`);
      expect(mail.html).toContain(`${shown}`);
    }
    expect(mail.text).toContain('There is no data for 2026-Q2');
  });

  it('embeds every chart as an inline PNG referenced from the HTML by its Content-ID', async () => {
    const { eml } = await deliverExample();

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

    expect(mail.subject).toMatch(/^Smith & Jones client KPIs, 2026-Q3 \(Region: EMEA\): /);
    const emea = snapshot.segments.region?.EMEA;
    expect(mail.text).toContain(
      `Client Independence Rate: ${formatKpiValue('clientIndependenceRate', emea?.clientIndependenceRate.value ?? null, 'USD')}`,
    );
    const csv = mail.attachments.find((part) => part.filename === 'kpis-2026-Q3.csv');
    const rows = csv?.content.toString('utf8').trimEnd().split('\r\n').slice(1) ?? [];
    expect(rows).toHaveLength(7);
    expect(rows.every((row) => row.startsWith('2026-Q3,segment,region,EMEA,'))).toBe(true);
  });

  it('keeps the saved HTML well under Gmail’s clipping size', async () => {
    const { result } = await deliverExample();

    expect(result.htmlBytes).toBeLessThan(100 * 1024);
  });
});
