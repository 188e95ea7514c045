/**
 * Compiles the email templates (Handlebars, strict mode) once, at start-up, and proves them
 * before any KPI is computed or any message sent: every field they read is checked against
 * the report model (`template-check.ts`), then every message kind is rendered from a
 * sample (`sample-reports.ts`). A problem names the file, line and column; a field the
 * model does not have also names the fields there are, or the one meant.
 */
import Handlebars from 'handlebars';
import type { ReportModel } from '../model/report-model';
import { REPORT_MODEL_FIELDS } from './report-model-fields';
import { sampleReports } from './sample-reports';
import { checkTemplateFields, type TemplateProblem, type TemplateSource } from './template-check';

/** One template file, named by its path relative to the template folder (`partials/x.hbs`). */
export interface TemplateFile {
  readonly name: string;
  readonly text: string;
  /** Where the file came from, for error messages (a custom folder's path); defaults to `name`. */
  readonly source?: string;
}

export const SUBJECT_TEMPLATE = 'subject.hbs';
export const HTML_TEMPLATE = 'email.html.hbs';
export const TEXT_TEMPLATE = 'email.txt.hbs';
const PARTIAL_PREFIX = 'partials/';

export class TemplateError extends Error {
  override readonly name: string = 'TemplateError';
  /** 1-based, when known. */
  readonly column: number | undefined;
  constructor(
    readonly template: string,
    readonly line: number | undefined,
    readonly detail: string,
    options?: { cause?: unknown; column?: number | undefined },
  ) {
    super(`template ${template}${position(line, options?.column)}: ${detail}`, options);
    this.column = options?.column;
  }
}

/** Every field problem the check found, reported together: each names its file, line and column. */
export class TemplateFieldsError extends TemplateError {
  override readonly name = 'TemplateFieldsError';
  constructor(readonly problems: readonly [TemplateProblem, ...TemplateProblem[]]) {
    const [first] = problems;
    super(first.template, first.line, first.detail, { column: first.column });
    const lines = problems.map(
      (problem) => `template ${problem.template}${position(problem.line, problem.column)}: ${problem.detail}`,
    );
    this.message =
      problems.length === 1
        ? (lines[0] ?? '')
        : `the email templates have ${problems.length} problems:\n${lines.map((line) => `- ${line}`).join('\n')}`;
  }
}

function position(line: number | undefined, column: number | undefined): string {
  if (line === undefined) return '';
  return column === undefined ? `, line ${line}` : `, line ${line}, column ${column}`;
}

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export interface EmailTemplates {
  render(model: ReportModel): RenderedEmail;
}

type Render = (context: unknown) => string;

/**
 * Compiles a template set: `subject.hbs`, `email.html.hbs`, `email.txt.hbs` and any
 * `partials/<name>.hbs` (used as `{{> name}}`). The subject and text parts are not
 * HTML-escaped; the HTML part escapes every value. Throws `TemplateError` for a missing
 * main template, a syntax error, or a partial that is used but not defined;
 * `TemplateFieldsError` for fields, helpers or contexts the report model does not have;
 * and `TemplateError` for a sample message that fails to render (a field read while null).
 *
 * `checked`: the files passed all of that already (the built-in templates do, in the tests
 * of every build): each is then compiled when first rendered and nothing is checked again,
 * which keeps about 90 ms off the start of every run (parsing three times and rendering the
 * samples) that mails nobody or reads a large export set before rendering.
 */
export function compileEmailTemplates(
  files: readonly TemplateFile[],
  options: { readonly checked?: boolean } = {},
): EmailTemplates {
  const checked = options.checked === true;
  const byName = new Map(files.map((file) => [file.name, file.text]));
  const html = Handlebars.create();
  const plain = Handlebars.create();
  const partials = files.filter((file) => file.name.startsWith(PARTIAL_PREFIX));
  const partialNames = new Set(partials.map((file) => partialName(file.name)));
  for (const file of partials) {
    checkPartialsExist(file, partialNames);
    const name = partialName(file.name);
    html.registerPartial(name, compile(html, file, true, checked));
    plain.registerPartial(name, compile(plain, file, false, checked));
  }
  const main = (name: string, env: typeof Handlebars, escapeHtml: boolean): Render => {
    const text = byName.get(name);
    if (text === undefined) throw new TemplateError(name, undefined, 'the template is missing');
    const file = files.find((candidate) => candidate.name === name) ?? { name, text };
    checkPartialsExist(file, partialNames);
    return compile(env, file, escapeHtml, checked);
  };
  const subject = main(SUBJECT_TEMPLATE, plain, false);
  const htmlBody = main(HTML_TEMPLATE, html, true);
  const textBody = main(TEXT_TEMPLATE, plain, false);
  if (!checked) checkFields(files);
  const templates: EmailTemplates = {
    render: (model) => ({
      subject: subject(model).replace(/\s+/g, ' ').trim(),
      html: htmlBody(model),
      text: textBody(model),
    }),
  };
  if (!checked) renderSamples(templates);
  return templates;
}

function checkFields(files: readonly TemplateFile[]): void {
  const source = (file: TemplateFile): TemplateSource => ({
    name: file.name,
    source: file.source ?? file.name,
    text: file.text,
  });
  const mains = files.filter((file) => !file.name.startsWith(PARTIAL_PREFIX)).map(source);
  const partials = new Map(
    files
      .filter((file) => file.name.startsWith(PARTIAL_PREFIX))
      .map((file) => [partialName(file.name), source(file)] as const),
  );
  const [first, ...rest] = checkTemplateFields({ mains, partials, model: REPORT_MODEL_FIELDS });
  if (first !== undefined) throw new TemplateFieldsError([first, ...rest]);
}

/**
 * Renders one message of each kind, so that what the field check cannot see (a field read
 * while it is null, a branch that fails only with some data) fails now, not in a quarter.
 */
function renderSamples(templates: EmailTemplates): void {
  for (const sample of sampleReports()) {
    try {
      templates.render(sample.model);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      const hint = /not defined in null/.test(error.detail)
        ? '; a field that can be null (templates/README.md) needs {{#if}} around what reads it'
        : '';
      throw new TemplateError(
        error.template,
        error.line,
        `${error.detail}, rendering the sample of ${sample.label}${hint}`,
        { cause: error, column: error.column },
      );
    }
  }
}

function partialName(fileName: string): string {
  return fileName.slice(PARTIAL_PREFIX.length).replace(/\.hbs$/, '');
}

/** Compiles eagerly (Handlebars compiles lazily by default) and names the file in errors. */
function compile(env: typeof Handlebars, file: TemplateFile, escapeHtml: boolean, checked: boolean): Render {
  const options = { strict: true, noEscape: !escapeHtml, preventIndent: true };
  // Handlebars compiles at the first render: parse now, so that a syntax error stops the run at once.
  if (!checked) {
    try {
      env.precompile(file.text, options);
    } catch (error) {
      throw templateError(file.source ?? file.name, error);
    }
  }
  const template = env.compile(file.text, options);
  return (context) => {
    try {
      return template(context);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      throw templateError(file.source ?? file.name, error);
    }
  };
}

function templateError(name: string, error: unknown): TemplateError {
  const exception = error as { message?: string; lineNumber?: number; column?: number };
  const message = String(exception.message ?? error);
  const line = exception.lineNumber ?? lineFromMessage(message);
  // Handlebars appends " - line:column" to strict-mode errors; the position is reported apart.
  const detail = message
    .replace(/ - \d+:\d+$/, '')
    .replace(/^Parse error on line \d+:\s*/, 'syntax error:\n')
    .replace(/^"([^"]+)" not defined in \[object Object\]$/, "no field '$1' here");
  const column = exception.column === undefined ? undefined : exception.column + 1;
  return new TemplateError(name, line, detail, { cause: error, column });
}

function lineFromMessage(message: string): number | undefined {
  const match = /line (\d+)/.exec(message) ?? / - (\d+):\d+$/.exec(message);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** A `{{> name}}` naming no partial would fail only when rendered; find it now. */
function checkPartialsExist(file: TemplateFile, known: ReadonlySet<string>): void {
  const lines = file.text.split('\n');
  lines.forEach((text, index) => {
    for (const match of text.matchAll(/\{\{~?#?>\s*([A-Za-z0-9_./-]+)/g)) {
      const name = match[1] as string;
      if (!known.has(name)) {
        throw new TemplateError(
          file.source ?? file.name,
          index + 1,
          `uses the partial '${name}', but there is no ${PARTIAL_PREFIX}${name}.hbs`,
        );
      }
    }
  });
}
