/**
 * The contexts a template's parts are rendered in, as the template check follows them:
 * the shape of `this` at each level (for `../`), block params, whether inside `{{#each}}`,
 * and the file and partial chain, for messages. Each function returns a new scope.
 */
import { describeFieldType, type FieldType, itemNoun } from './model-fields';
import type { TemplateSource } from './template-source';

/**
 * What a part of a template is rendered with: a field's type; `any` where it cannot be known
 * (a helper's result); or a partial's context extended with its hash arguments.
 */
export type Shape =
  | FieldType
  | { readonly kind: 'any' }
  | {
      readonly kind: 'object';
      readonly name: string;
      readonly fields: Readonly<Record<string, { readonly type: Shape }>>;
    };

/** One level of context (`this`), and how to name it in messages. */
export interface Frame {
  readonly shape: Shape;
  /** `the top level`, `one of views`, `one of views[].kpis`. */
  readonly where: string;
  /** `views[].kpis`, for naming what is inside it. */
  readonly path: string;
}

export interface BlockParam {
  readonly name: string;
  readonly frame: Frame;
}

export interface Scope {
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

/** Reports a problem at `node`, in the template (and partial chain) `scope` is in. */
export type Report = (scope: Scope, node: hbs.AST.Node, detail: string) => void;

export function describeShape(shape: Shape): string {
  if (shape.kind === 'any') return 'a value';
  if (shape.kind === 'object') return `a ${itemNoun(shape.name)}`;
  const described = describeFieldType(shape);
  return shape.kind === 'list' ? `a ${described}` : described;
}

/** `each`, `if`: the name when `path` could call a helper (one plain name), else undefined. */
export function helperName(path: hbs.AST.PathExpression): string | undefined {
  return path.data || path.depth > 0 || path.parts.length !== 1 || /^(\.|this\b)/.test(path.original)
    ? undefined
    : path.parts[0];
}

export function withScope(shape: Shape, subject: string, scope: Scope): Scope {
  const current = scope.frames[0] ?? scope.root;
  const path = joinPath(current.path, subject);
  const where = shape.kind === 'object' ? `${path} (a ${itemNoun(shape.name)})` : path;
  return { ...scope, frames: [{ shape, where, path }, ...scope.frames] };
}

/** `as |item index|` names the context (and, for each, the index) inside the block. */
export function withBlockParams(scope: Scope, program: hbs.AST.Program, helper: string): Scope {
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

export function withHashFields(base: Frame, hash: readonly (readonly [string, Shape | undefined])[]): Frame {
  const fields: Record<string, { readonly type: Shape }> =
    base.shape.kind === 'object' ? { ...base.shape.fields } : {};
  for (const [key, shape] of hash) fields[key] = { type: shape ?? { kind: 'any' } };
  return { shape: { kind: 'object', name: 'partial context', fields }, where: base.where, path: base.path };
}

/** A context that cannot be known: only the helpers and the `../` and `@root` paths inside are checked. */
export function unknownContext(scope: Scope, inEach: boolean): Scope {
  const current = scope.frames[0] ?? scope.root;
  const frame: Frame = { shape: { kind: 'any' }, where: current.where, path: current.path };
  return { ...scope, frames: [frame, ...scope.frames], inEach: scope.inEach || inEach };
}

export function pathOf(node: hbs.AST.Expression): string {
  return node.type === 'PathExpression' ? (node as hbs.AST.PathExpression).original : 'a value';
}

export function joinPath(base: string, subject: string): string {
  const clean = subject.replace(/^(this\.|\.\/)/, '');
  return base === '' || subject.startsWith('@root.') || subject.startsWith('../')
    ? clean.replace(/^@root\./, '').replace(/^(\.\.\/)+/, '')
    : `${base}.${clean}`;
}
