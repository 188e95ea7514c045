/**
 * Compiles the email templates (Handlebars, strict mode) once, at start-up, so a broken
 * template stops the run before any KPI is computed or any message sent, with the file and
 * line. Rendering errors (a field the model does not have) also name the file and line.
 */
import Handlebars from 'handlebars';
import type { ReportModel } from './report-model';

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
  override readonly name = 'TemplateError';
  constructor(
    readonly template: string,
    readonly line: number | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`template ${template}${line === undefined ? '' : `, line ${line}`}: ${detail}`, options);
  }
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
 * main template, a syntax error, or a partial that is used but not defined.
 */
export function compileEmailTemplates(files: readonly TemplateFile[]): EmailTemplates {
  const byName = new Map(files.map((file) => [file.name, file.text]));
  const html = Handlebars.create();
  const plain = Handlebars.create();
  const partials = files.filter((file) => file.name.startsWith(PARTIAL_PREFIX));
  const partialNames = new Set(partials.map((file) => partialName(file.name)));
  for (const file of partials) {
    checkPartialsExist(file, partialNames);
    const name = partialName(file.name);
    html.registerPartial(name, compile(html, file, true));
    plain.registerPartial(name, compile(plain, file, false));
  }
  const main = (name: string, env: typeof Handlebars, escapeHtml: boolean): Render => {
    const text = byName.get(name);
    if (text === undefined) throw new TemplateError(name, undefined, 'the template is missing');
    const file = files.find((candidate) => candidate.name === name) ?? { name, text };
    checkPartialsExist(file, partialNames);
    return compile(env, file, escapeHtml);
  };
  const subject = main(SUBJECT_TEMPLATE, plain, false);
  const htmlBody = main(HTML_TEMPLATE, html, true);
  const textBody = main(TEXT_TEMPLATE, plain, false);
  return {
    render: (model) => ({
      subject: subject(model).replace(/\s+/g, ' ').trim(),
      html: htmlBody(model),
      text: textBody(model),
    }),
  };
}

function partialName(fileName: string): string {
  return fileName.slice(PARTIAL_PREFIX.length).replace(/\.hbs$/, '');
}

/** Compiles eagerly (Handlebars compiles lazily by default) and names the file in errors. */
function compile(env: typeof Handlebars, file: TemplateFile, escapeHtml: boolean): Render {
  const options = { strict: true, noEscape: !escapeHtml, preventIndent: true };
  try {
    env.precompile(file.text, options);
  } catch (error) {
    throw templateError(file.source ?? file.name, error);
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
  const exception = error as { message?: string; lineNumber?: number };
  const message = String(exception.message ?? error);
  const line = exception.lineNumber ?? lineFromMessage(message);
  // Handlebars appends " - line:column" to strict-mode errors; the line is reported apart.
  const detail = message
    .replace(/ - \d+:\d+$/, '')
    .replace(/^Parse error on line \d+:\s*/, 'syntax error:\n');
  return new TemplateError(name, line, detail, { cause: error });
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
