/**
 * Checks every field a template reads against the report model's shape, before anything
 * is rendered. Handlebars' strict mode fails only on the fields a render visits, and never
 * on a helper's argument (`{{#if hasNotez}}` is silently false), so a misspelt field in a
 * branch today's data skips would surface in another quarter, or never. This walks each
 * template's syntax tree (`Handlebars.parse`), following `{{#each}}`, `{{#with}}`, block
 * params, `../`, `@root` and partials into the context each part is rendered in.
 *
 * Handlebars' rules it follows: only blocks that change the context (`each`, `with`, a
 * section over a list or object) add a level for `../`; a partial sees its caller's
 * context (or the one passed to it, extended with its hash) but not the caller's parents
 * nor its block params; `@index`, `@first`, `@last` and `@key` exist inside `{{#each}}`.
 */
import Handlebars from 'handlebars';
import { resolvePath } from './field-paths';
import type { FieldMap } from './model-fields';
import {
  describeShape,
  type Frame,
  helperName,
  joinPath,
  pathOf,
  type Report,
  type Scope,
  type Shape,
  unknownContext,
  withBlockParams,
  withHashFields,
  withScope,
} from './template-scope';
import type { TemplateProblem, TemplateSource } from './template-source';

export type { TemplateProblem, TemplateSource } from './template-source';

// The only helpers templates may use: few, so the check knows what each does with its context.
const CONTEXT_HELPERS = new Set(['each', 'with']);
const CONDITION_HELPERS = new Set(['if', 'unless']);
const INLINE_HELPERS = new Set(['lookup', 'log']);
const HELPERS_TEXT = '#if, #unless, #each, #with, lookup and log';

/**
 * Every problem in `mains` (the templates rendered with the model) and in the partials they
 * include, each once, in file order. `partials` maps a partial's name (`kpi-row`) to its
 * file; a partial named but missing is reported by the compiler, not here.
 */
export function checkTemplateFields(options: {
  readonly mains: readonly TemplateSource[];
  readonly partials: ReadonlyMap<string, TemplateSource>;
  readonly model: FieldMap;
}): TemplateProblem[] {
  const problems = new Map<string, TemplateProblem>();
  const report = (scope: Scope, node: hbs.AST.Node, detail: string) => {
    const problem: TemplateProblem = {
      template: scope.file.source,
      line: node.loc.start.line,
      column: node.loc.start.column + 1,
      detail: scope.via === undefined ? detail : `${detail} (${scope.via})`,
    };
    const key = `${problem.template}:${problem.line}:${problem.column}:${detail}`;
    if (!problems.has(key)) problems.set(key, problem);
  };
  const root: Frame = {
    shape: { kind: 'object', name: 'report', fields: options.model },
    where: 'the top level',
    path: '',
  };
  const checker = new Walker(options.partials, report);
  for (const file of options.mains) {
    const scope: Scope = {
      frames: [root],
      blockParams: [],
      inEach: false,
      root,
      file,
      partialStack: [],
      via: undefined,
    };
    checker.program(Handlebars.parse(file.text), scope);
  }
  return [...problems.values()].sort(
    (a, b) => a.template.localeCompare(b.template) || a.line - b.line || a.column - b.column,
  );
}

class Walker {
  private readonly parsed = new Map<string, hbs.AST.Program>();

  constructor(
    private readonly partials: ReadonlyMap<string, TemplateSource>,
    private readonly report: Report,
  ) {}

  program(program: hbs.AST.Program | undefined, scope: Scope): void {
    for (const statement of program?.body ?? []) this.statement(statement, scope);
  }

  private statement(node: hbs.AST.Statement, scope: Scope): void {
    switch (node.type) {
      case 'MustacheStatement':
        this.mustache(node as hbs.AST.MustacheStatement, scope);
        break;
      case 'BlockStatement':
        this.block(node as hbs.AST.BlockStatement, scope);
        break;
      case 'PartialStatement':
      case 'PartialBlockStatement':
        this.partial(node as hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement, scope);
        break;
      case 'Decorator':
      case 'DecoratorBlock':
        this.report(
          scope,
          node,
          'inline partials and decorators are not supported: put a partial in partials/<name>.hbs',
        );
    }
  }

  /** `{{field}}`, `{{lookup a b}}`: a value written out. */
  private mustache(node: hbs.AST.MustacheStatement, scope: Scope): void {
    const path = node.path;
    if (path.type !== 'PathExpression') return;
    const name = helperName(path as hbs.AST.PathExpression);
    if (node.params.length > 0 || node.hash !== undefined) {
      if (name === undefined || !INLINE_HELPERS.has(name))
        this.unknownHelper(path as hbs.AST.PathExpression, scope);
      this.arguments(node, scope);
      return;
    }
    if (name !== undefined && (CONTEXT_HELPERS.has(name) || CONDITION_HELPERS.has(name))) {
      this.report(scope, node, `{{${name}}} is a block: write {{#${name} …}}…{{/${name}}}`);
      return;
    }
    const shape = resolvePath(path as hbs.AST.PathExpression, scope, this.report);
    if (shape === undefined) return;
    const original = (path as hbs.AST.PathExpression).original;
    if (shape.kind === 'list') {
      this.report(
        scope,
        path,
        `{{${original}}} is ${describeShape(shape)}: show its items with {{#each ${original}}}…{{/each}}`,
      );
    } else if (shape.kind === 'object') {
      const example = Object.keys(shape.fields)[0] ?? 'field';
      this.report(
        scope,
        path,
        `{{${original}}} is ${describeShape(shape)}: show one of its fields, e.g. {{${original}.${example}}}`,
      );
    }
  }

  private block(node: hbs.AST.BlockStatement, scope: Scope): void {
    const name = helperName(node.path);
    if (name !== undefined && CONDITION_HELPERS.has(name)) {
      this.arity(node, name, scope);
      this.arguments(node, scope);
      this.program(node.program, scope);
      this.program(node.inverse, scope);
      return;
    }
    if (name !== undefined && CONTEXT_HELPERS.has(name)) {
      this.arity(node, name, scope);
      const argument = node.params[0];
      const shape = argument === undefined ? undefined : this.expression(argument, scope);
      let inner: Scope | undefined;
      if (shape !== undefined && argument?.type === 'PathExpression') {
        const subject = (argument as hbs.AST.PathExpression).original;
        inner =
          name === 'each' ? this.eachScope(shape, subject, node, scope) : withScope(shape, subject, scope);
      }
      // Unknown (a literal, a helper's result, a field reported above): check what can be.
      inner ??= unknownContext(scope, name === 'each');
      this.program(node.program, withBlockParams(inner, node.program, name));
      this.program(node.inverse, scope);
      return;
    }
    if (
      node.params.length > 0 ||
      node.hash !== undefined ||
      (name !== undefined && INLINE_HELPERS.has(name))
    ) {
      this.unknownHelper(node.path, scope);
      this.arguments(node, scope);
      return;
    }
    // A section, `{{#field}}…{{/field}}`: a list repeats, an object becomes the context,
    // anything else is a condition.
    const shape = resolvePath(node.path, scope, this.report);
    const subject = node.path.original;
    const inner =
      shape === undefined
        ? unknownContext(scope, false)
        : shape.kind === 'list'
          ? this.eachScope(shape, subject, node, scope)
          : shape.kind === 'flag'
            ? scope
            : withScope(shape, subject, scope);
    this.program(node.program, inner ?? unknownContext(scope, true));
    this.program(node.inverse, scope);
  }

  private partial(node: hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement, scope: Scope): void {
    if (node.name.type !== 'PathExpression') {
      this.report(scope, node, 'a partial chosen at render time cannot be checked: name it, {{> name}}');
      return;
    }
    const nameExpression = node.name as hbs.AST.PathExpression;
    if (nameExpression.data) return; // {{> @partial-block}}
    if (node.type === 'PartialBlockStatement') this.program(node.program, scope);
    const name = nameExpression.original;
    const file = this.partials.get(name);
    const argument = node.params[0];
    const passed = argument === undefined ? undefined : this.expression(argument, scope);
    const hash =
      node.hash?.pairs.map((pair) => [pair.key, this.expression(pair.value, scope)] as const) ?? [];
    if (file === undefined || scope.partialStack.includes(name)) return;
    const base: Frame =
      argument === undefined
        ? (scope.frames[0] ?? scope.root)
        : {
            shape: passed ?? { kind: 'any' },
            where: `what {{> ${name}}} is given`,
            path: pathOf(argument),
          };
    const frame = hash.length === 0 ? base : withHashFields(base, hash);
    let program = this.parsed.get(name);
    if (program === undefined) {
      program = Handlebars.parse(file.text);
      this.parsed.set(name, program);
    }
    this.program(program, {
      frames: [frame],
      blockParams: [],
      inEach: scope.inEach,
      root: scope.root,
      file,
      partialStack: [...scope.partialStack, name],
      via: `rendered from ${scope.file.name}, line ${node.loc.start.line}${scope.via === undefined ? '' : `, ${scope.via}`}`,
    });
  }

  /** The scope inside `{{#each subject}}`: one item of the list as the context. */
  private eachScope(shape: Shape, subject: string, node: hbs.AST.Node, scope: Scope): Scope | undefined {
    const current = scope.frames[0] ?? scope.root;
    const path = joinPath(current.path, subject);
    if (shape.kind === 'any') return unknownContext(scope, true);
    if (shape.kind === 'object') {
      // Over an object's fields: each field's value in turn, with @key its name.
      const frame: Frame = { shape: { kind: 'any' }, where: `a field of ${path}`, path: `${path}.*` };
      return { ...scope, frames: [frame, ...scope.frames], inEach: true };
    }
    if (shape.kind !== 'list') {
      this.report(scope, node, `{{#each ${subject}}}: ${subject} is ${describeShape(shape)}, not a list`);
      return undefined;
    }
    const frame: Frame = { shape: shape.items, where: `one of ${path}`, path: `${path}[]` };
    return { ...scope, frames: [frame, ...scope.frames], inEach: true };
  }

  private arity(node: hbs.AST.BlockStatement, name: string, scope: Scope): void {
    if (node.params.length !== 1) {
      this.report(scope, node, `{{#${name}}} takes exactly one argument, not ${node.params.length}`);
    }
  }

  private arguments(node: { params: hbs.AST.Expression[]; hash: hbs.AST.Hash }, scope: Scope): void {
    for (const param of node.params) this.expression(param, scope);
    for (const pair of node.hash?.pairs ?? []) this.expression(pair.value, scope);
  }

  private expression(node: hbs.AST.Expression, scope: Scope): Shape | undefined {
    if (node.type === 'PathExpression')
      return resolvePath(node as hbs.AST.PathExpression, scope, this.report);
    if (node.type === 'SubExpression') {
      const call = node as hbs.AST.SubExpression;
      this.arguments(call, scope);
      const name = helperName(call.path);
      if (name === undefined || !INLINE_HELPERS.has(name)) this.unknownHelper(call.path, scope);
      return { kind: 'any' };
    }
    return { kind: 'any' }; // a literal
  }

  private unknownHelper(path: hbs.AST.PathExpression, scope: Scope): void {
    this.report(scope, path, `there is no helper '${path.original}': the helpers are ${HELPERS_TEXT}`);
  }
}
