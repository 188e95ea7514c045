import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTemplateFiles } from '../../../../src/adapters/local/template-folder';
import { buildReportModel } from '../../../../src/core/report/model/build-report-model';
import {
  compileEmailTemplates,
  TemplateError,
  type TemplateFile,
} from '../../../../src/core/report/templates/email-templates';
import { HOSTILE_SEGMENT, sampleSnapshot } from '../../../support/sample-snapshot';

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

async function customFolder(files: Record<string, string>): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'kpi-templates-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(folder, name)), { recursive: true });
    await writeFile(path.join(folder, name), text);
  }
  return folder;
}

function sampleModel() {
  return buildReportModel({ snapshot: sampleSnapshot(), riskDropPoints: 5, cidToken: 'test' }).model;
}

function withFile(files: readonly TemplateFile[], name: string, text: string): TemplateFile[] {
  return [...files.filter((file) => file.name !== name), { name, text }];
}

describe('the built-in templates', () => {
  it('render every KPI value, band word and delta of the model', async () => {
    const templates = compileEmailTemplates(await loadTemplateFiles());
    const model = sampleModel();

    const email = templates.render(model);

    for (const kpi of model.views[0]?.kpis ?? []) {
      expect(email.html).toContain(kpi.value.replace('&', '&amp;'));
      expect(email.text).toContain(`${kpi.name}: ${kpi.value}`);
      expect(email.text).toContain(`Band: ${kpi.band.word}`);
    }
    expect(email.text).toContain('vs last quarter: +2.4 pp, unchanged within noise');
    expect(email.text).toContain('vs a year ago: ▲ +11.5 pp, better');
    expect(email.subject).toBe(model.subject);
  });

  it('escape a hostile segment name and a company name with & in the HTML', async () => {
    const templates = compileEmailTemplates(await loadTemplateFiles());

    const email = templates.render(sampleModel());

    expect(email.html).not.toContain(HOSTILE_SEGMENT);
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('Smith &amp; Jones');
    expect(email.html).not.toMatch(/Smith & Jones/);
  });

  it('pass every check at start-up, and render the same when a run takes them as checked', async () => {
    // Arrange: runs without a template folder skip the checks (email-delivery.ts); this is
    // what lets them.
    const files = await loadTemplateFiles();

    // Act
    const checkedNow = compileEmailTemplates(files);
    const takenAsChecked = compileEmailTemplates(files, { checked: true });

    // Assert
    expect(takenAsChecked.render(sampleModel())).toEqual(checkedNow.render(sampleModel()));
  });

  it('taken as checked, are not parsed before their first render', async () => {
    // Arrange: a syntax error that the start-up checks stop at once.
    const files = withFile(await loadTemplateFiles(), 'subject.hbs', '{{#if}}');

    // Act and assert
    expect(() => compileEmailTemplates(files)).toThrow(TemplateError);
    const unchecked = compileEmailTemplates(files, { checked: true });
    expect(() => unchecked.render(sampleModel())).toThrow();
  });

  it('keep the plain-text part and the subject unescaped', async () => {
    const templates = compileEmailTemplates(await loadTemplateFiles());

    const email = templates.render(sampleModel());

    expect(email.subject).toContain('Smith & Jones');
    expect(email.text).toContain('Smith & Jones');
  });
});

describe('the built-in HTML', () => {
  it('marks up data as data tables: no presentation role, every header cell with its scope', async () => {
    // Arrange
    const templates = compileEmailTemplates(await loadTemplateFiles());

    // Act
    const { html } = templates.render(sampleModel());

    // Assert
    const tables = html.split(/<table\b/).slice(1);
    const dataTables = tables.filter((table) => /<th\b/.test(table.split('</table>')[0] ?? ''));
    expect(dataTables.length).toBeGreaterThanOrEqual(3);
    for (const table of dataTables) expect(table.slice(0, table.indexOf('>'))).not.toContain('role=');
    const headers = html.match(/<th\b[^>]*>/g) ?? [];
    expect(headers.filter((th) => !/scope="(col|row)"/.test(th))).toEqual([]);
  });

  it('breaks no word mid-way and uses one word for what needs attention', async () => {
    const templates = compileEmailTemplates(await loadTemplateFiles());

    const { html, text } = templates.render(sampleModel());

    expect(html).not.toContain('break-all');
    const shown = html.replace(/<style[\s\S]*?<\/style>/, '').replace(/<[^>]*>/g, ' ');
    for (const part of [shown, text]) {
      expect(part).not.toMatch(/to watch|\brisks?\b/i);
    }
    expect(html).toContain('Needs attention');
  });
});

describe('a broken template', () => {
  it('fails at compile time with the file and line of a syntax error', async () => {
    const files = withFile(
      await loadTemplateFiles(),
      'partials/kpi-row.hbs',
      '<tr>\n<td>{{name}</td>\n</tr>',
    );

    expect(() => compileEmailTemplates(files)).toThrow(
      /template partials\/kpi-row\.hbs, line 2: syntax error/,
    );
  });

  it('fails at compile time when it uses a partial that does not exist', async () => {
    const files = withFile(await loadTemplateFiles(), 'email.html.hbs', '<p>\n{{> chart-grid}}\n</p>');

    expect(() => compileEmailTemplates(files)).toThrow(
      new TemplateError(
        'email.html.hbs',
        2,
        "uses the partial 'chart-grid', but there is no partials/chart-grid.hbs",
      ),
    );
  });

  it('fails at compile time, before any model is rendered, with a field the model does not have', async () => {
    const files = withFile(await loadTemplateFiles(), 'partials/definitions.hbs', '<p>\n{{definitionz}}</p>');

    expect(() => compileEmailTemplates(files)).toThrow(
      /^template partials\/definitions\.hbs, line 2, column 3: \{\{definitionz\}\}: no field 'definitionz' at the top level; did you mean 'definitions'\? Fields here: subject, preheader, .* \(rendered from email\.html\.hbs, line \d+\)$/,
    );
  });

  it('fails at compile time with a misspelt field in a branch no data of the day would reach', async () => {
    // Arrange: a condition Handlebars' strict mode never checks, and a field only a
    // recipient of several segments would reach
    const text = (await loadTemplateFiles()).find((file) => file.name === 'email.txt.hbs')?.text ?? '';
    const files = withFile(
      await loadTemplateFiles(),
      'email.txt.hbs',
      text
        .replace('{{#if hasMore}}', '{{#if hasMoar}}')
        .replace('{{label}}: {{value}}', '{{label}}: {{valeu}}'),
    );

    // Act and Assert: both at once, each with its line and the field meant
    expect(() => compileEmailTemplates(files)).toThrow(
      new RegExp(
        [
          '^the email templates have 2 problems:',
          "- template email\\.txt\\.hbs, line \\d+, column \\d+: \\{\\{valeu\\}\\}: no field 'valeu' in one of segmentTables\\[\\]\\.rows; did you mean 'value'\\? Fields here: label, value, band, change, color, lowSample, and @index, @first, @last, @key",
          "- template email\\.txt\\.hbs, line \\d+, column \\d+: \\{\\{hasMoar\\}\\}: no field 'hasMoar' in one of segmentTables; did you mean 'hasMore'\\?",
        ].join('\\n'),
      ),
    );
  });

  it('fails at compile time with a field read while it is null, naming the sample that has it null', async () => {
    // Arrange: a chart read without {{#if}}; a first quarter has none
    const files = withFile(
      await loadTemplateFiles(),
      'email.txt.hbs',
      '{{greeting}}\n{{#each views}}{{#each kpis}}\n  {{chart.alt}}\n{{/each}}{{/each}}\n',
    );

    // Act and Assert
    expect(() => compileEmailTemplates(files)).toThrow(
      'template email.txt.hbs, line 3, column 5: "alt" not defined in null, rendering the sample of the saved report of a first quarter with missing exports; a field that can be null (templates/README.md) needs {{#if}} around what reads it',
    );
  });

  it('accepts a field read while it can be null once guarded by the branch that makes it non-null', async () => {
    const files = withFile(
      await loadTemplateFiles(),
      'email.txt.hbs',
      '{{#each views}}{{#each kpis}}{{#if chart}}{{chart.alt}}{{/if}}{{#if ../hasTrends}}{{chart.src}}{{/if}}{{/each}}{{/each}}',
    );

    const templates = compileEmailTemplates(files);

    expect(templates.render(sampleModel()).text).toContain('cid:');
  });

  it('fails when a main template is missing', () => {
    expect(() => compileEmailTemplates([{ name: 'subject.hbs', text: '{{subject}}' }])).toThrow(
      'template email.html.hbs: the template is missing',
    );
  });
});

describe('a custom template folder', () => {
  it('replaces the built-in files it holds and keeps the others', async () => {
    const folder = await customFolder({ 'subject.hbs': 'KPIs {{quarter}} for {{companyName}}' });

    const templates = compileEmailTemplates(await loadTemplateFiles(folder));
    const email = templates.render(sampleModel());

    expect(email.subject).toBe('KPIs 2026-Q3 for Smith & Jones');
    expect(email.html).toContain('Client Independence Rate');
  });

  it('names the custom file in errors', async () => {
    const folder = await customFolder({ 'partials/risks.hbs': '{{#each risks}}\n{{/if}}' });

    await expect(async () => compileEmailTemplates(await loadTemplateFiles(folder))).rejects.toThrow(
      `template ${path.join(folder, 'partials/risks.hbs')}, line 1, column 4: each doesn't match if`,
    );
  });

  it('refuses a file that replaces nothing, so a misspelt name is not silently ignored', async () => {
    const folder = await customFolder({ 'email.htm.hbs': '<p></p>' });

    await expect(loadTemplateFiles(folder)).rejects.toThrow(
      /not a template kpi-report uses; name it after one of: email\.html\.hbs/,
    );
  });

  it('must exist', async () => {
    await expect(loadTemplateFiles('/nonexistent/templates')).rejects.toThrow(
      'template /nonexistent/templates: the template folder (email.templateDir) does not exist',
    );
  });
});
