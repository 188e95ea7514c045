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
import { nearestName } from '../../nearest-name';
import { describeFieldType, type FieldMap, type FieldType, itemNoun } from './model-fields';

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

/**
 * What a part of a template is rendered with: a field's type; `any` where it cannot be known
 * (a helper's result); or a partial's context extended with its hash arguments.
 */
type Shape =
  | FieldType
  | { readonly kind: 'any' }
  | {
      readonly kind: 'object';
      readonly name: string;
      readonly fields: Readonly<Record<string, { readonly type: Shape }>>;
    };

/** One level of context (`this`), and how to name it in messages. */
interface Frame {
  readonly shape: Shape;
  /** `the top level`, `one of views`, `one of views[].kpis`. */
  readonly where: string;
  /** `views[].kpis`, for naming what is inside it. */
  readonly path: string;
}

interface BlockParam {
  readonly name: string;
  readonly frame: Frame;
}

interface Scope {
  /** Innermost first; `../` goes one further. */
  readonly frames: readonly Frame[];
  readonly blockParams: readonly BlockParam[];
  readonly inEach: boolean;
  readonly root: Frame;
  readonly file: TemplateSource;
  /** The partials being checked, innermost last, to stop at a partial that includes itself. */
  readonly partialStack: readonly string[];
  /** `included from email.html.hbs, line 63`: where a partial was entered from. */
  readonly via: string | undefined;
}

const CONTEXT_HELPERS = new Set(['each', 'with']);
const CONDITION_HELPERS = new Set(['if', 'unless']);
const INLINE_HELPERS = new Set(['lookup', 'log']);
const HELPERS_TEXT = '#if, #unless, #each, #with, lookup and log';
const EACH_DATA: Readonly<Record<string, FieldType>> = {
  index: { kind: 'number' },
  first: { kind: 'flag' },
  last: { kind: 'flag' },
  key: { kind: 'text' },
};

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

type Report = (scope: Scope, node: hbs.AST.Node, detail: string) => void;

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
    const shape = this.resolve(path as hbs.AST.PathExpression, scope);
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
    const shape = this.resolve(node.path, scope);
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
    if (node.type === 'PathExpression') return this.resolve(node as hbs.AST.PathExpression, scope);
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

  /** The shape `path` reads, or undefined after reporting why it reads nothing. */
  private resolve(path: hbs.AST.PathExpression, scope: Scope): Shape | undefined {
    const [first, ...rest] = path.parts;
    if (path.data) {
      if (first === 'root') return this.walk(path, scope.root, path.parts.slice(1), scope, false);
      const data = first === undefined ? undefined : EACH_DATA[first];
      if (data !== undefined && scope.inEach && rest.length === 0) return data;
      const inside = scope.inEach ? '' : ' (and @index, @first, @last and @key inside {{#each}})';
      this.report(scope, path, `{{${path.original}}} is not defined here: there is @root${inside}`);
      return undefined;
    }
    const scoped = /^(\.|this\b)/.test(path.original);
    const param =
      scoped || path.depth > 0 ? undefined : scope.blockParams.find((each) => each.name === first);
    if (param !== undefined) return this.walk(path, param.frame, rest, scope, false);
    const frame = scope.frames[path.depth];
    if (frame === undefined) {
      this.report(
        scope,
        path,
        `{{${path.original}}} goes ${path.depth} level${path.depth === 1 ? '' : 's'} up, above the top of what this template is given`,
      );
      return undefined;
    }
    return this.walk(path, frame, path.parts, scope, path.depth === 0);
  }

  /**
   * Follows `parts` from `frame`, field by field. `fromContext`: the path starts at the
   * current context, so fields of enclosing contexts and block params are worth suggesting.
   */
  private walk(
    path: hbs.AST.PathExpression,
    frame: Frame,
    parts: readonly string[],
    scope: Scope,
    fromContext: boolean,
  ): Shape | undefined {
    let shape: Shape = frame.shape;
    let read = '';
    const subject = () => (read === '' ? 'this' : read.slice(1));
    for (const part of parts) {
      if (shape.kind === 'any') return shape;
      if (shape.kind === 'list') {
        if (part === 'length') return { kind: 'number' };
        if (/^\d+$/.test(part)) {
          shape = shape.items;
          read = `${read}.${part}`;
          continue;
        }
        this.report(
          scope,
          path,
          `{{${path.original}}}: ${subject()} is ${describeShape(shape)}; the fields of its items are read inside {{#each ${subject()}}}…{{/each}}`,
        );
        return undefined;
      }
      if (shape.kind !== 'object') {
        this.report(
          scope,
          path,
          `{{${path.original}}}: ${subject()} is ${describeShape(shape)} and has no field '${part}'`,
        );
        return undefined;
      }
      const field: { readonly type: Shape } | undefined = shape.fields[part];
      if (field === undefined) {
        const place =
          read !== ''
            ? `in ${read.slice(1)}`
            : frame.where === 'the top level'
              ? 'at the top level'
              : `in ${frame.where}`;
        const suggest = fromContext && read === '';
        this.report(
          scope,
          path,
          this.unknownField(path, part, Object.keys(shape.fields), place, suggest, scope),
        );
        return undefined;
      }
      shape = field.type;
      read = `${read}.${part}`;
    }
    return shape;
  }

  /** `no field 'greting' at the top level; did you mean 'greeting'? Fields here: …` */
  private unknownField(
    path: hbs.AST.PathExpression,
    part: string,
    known: readonly string[],
    place: string,
    atContext: boolean,
    scope: Scope,
  ): string {
    const head = `{{${path.original}}}: no field '${part}' ${place}`;
    // A field of an enclosing context, used inside a block without `../`.
    const outer = atContext
      ? scope.frames.findIndex(
          (frame, index) => index > 0 && frame.shape.kind === 'object' && part in frame.shape.fields,
        )
      : -1;
    const names = atContext ? [...scope.blockParams.map((param) => param.name), ...known] : [...known];
    const nearest = nearestName(part, names);
    const hint =
      outer > 0
        ? `; did you mean '${'../'.repeat(outer)}${part}'? It is a field of ${scope.frames[outer]?.where ?? 'an enclosing context'}.`
        : nearest === undefined
          ? '.'
          : `; did you mean '${nearest}'?`;
    const data = atContext && scope.inEach ? ', and @index, @first, @last, @key' : '';
    return `${head}${hint} Fields here: ${names.join(', ')}${data}`;
  }
}

function describeShape(shape: Shape): string {
  if (shape.kind === 'any') return 'a value';
  if (shape.kind === 'object') return `a ${itemNoun(shape.name)}`;
  const described = describeFieldType(shape);
  return shape.kind === 'list' ? `a ${described}` : described;
}

/** `each`, `if`: the name when `path` could call a helper (one plain name), else undefined. */
function helperName(path: hbs.AST.PathExpression): string | undefined {
  return path.data || path.depth > 0 || path.parts.length !== 1 || /^(\.|this\b)/.test(path.original)
    ? undefined
    : path.parts[0];
}

function withScope(shape: Shape, subject: string, scope: Scope): Scope {
  const current = scope.frames[0] ?? scope.root;
  const path = joinPath(current.path, subject);
  const where = shape.kind === 'object' ? `${path} (a ${itemNoun(shape.name)})` : path;
  return { ...scope, frames: [{ shape, where, path }, ...scope.frames] };
}

/** `as |item index|` names the context (and, for each, the index) inside the block. */
function withBlockParams(scope: Scope, program: hbs.AST.Program, helper: string): Scope {
  const names = program.blockParams ?? [];
  if (names.length === 0) return scope;
  const context = scope.frames[0] ?? scope.root;
  const params: BlockParam[] = names.map((name, index) => ({
    name,
    frame:
      index === 0
        ? context
        : { shape: helper === 'each' ? { kind: 'number' } : { kind: 'any' }, where: name, path: name },
  }));
  return { ...scope, blockParams: [...params, ...scope.blockParams] };
}

function withHashFields(base: Frame, hash: readonly (readonly [string, Shape | undefined])[]): Frame {
  const fields: Record<string, { readonly type: Shape }> =
    base.shape.kind === 'object' ? { ...base.shape.fields } : {};
  for (const [key, shape] of hash) fields[key] = { type: shape ?? { kind: 'any' } };
  return { shape: { kind: 'object', name: 'partial context', fields }, where: base.where, path: base.path };
}

/** A context that cannot be known: only the helpers and the `../` and `@root` paths inside are checked. */
function unknownContext(scope: Scope, inEach: boolean): Scope {
  const current = scope.frames[0] ?? scope.root;
  const frame: Frame = { shape: { kind: 'any' }, where: current.where, path: current.path };
  return { ...scope, frames: [frame, ...scope.frames], inEach: scope.inEach || inEach };
}

function pathOf(node: hbs.AST.Expression): string {
  return node.type === 'PathExpression' ? (node as hbs.AST.PathExpression).original : 'a value';
}

function joinPath(base: string, subject: string): string {
  const clean = subject.replace(/^(this\.|\.\/)/, '');
  return base === '' || subject.startsWith('@root.') || subject.startsWith('../')
    ? clean.replace(/^@root\./, '').replace(/^(\.\.\/)+/, '')
    : `${base}.${clean}`;
}
