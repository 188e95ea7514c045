/** A template as the template check reads it, and a problem it finds in one. */

/** A template to check: its name in the template set and where it came from, for messages. */
export interface TemplateSource {
  readonly name: string;
  readonly source: string;
  readonly text: string;
}

export interface TemplateProblem {
  /** The file, as `TemplateSource.source` names it. */
  readonly template: string;
  readonly line: number;
  /** 1-based, as editors count. */
  readonly column: number;
  readonly detail: string;
}
