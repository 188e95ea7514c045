/**
 * What a path in a template reads (`greeting`, `../quarter`, `@root.views`, `item.name`),
 * followed field by field through the report model's shape from the context it starts at;
 * a path that reads nothing is reported with the fields there and the nearest name.
 */
import { nearestName } from '../../nearest-name';
import type { FieldType } from './model-fields';
import { describeShape, type Frame, type Report, type Scope, type Shape } from './template-scope';

/** What `@index`, `@first`, `@last` and `@key` hold inside `{{#each}}`. */
const EACH_DATA: Readonly<Record<string, FieldType>> = {
  index: { kind: 'number' },
  first: { kind: 'flag' },
  last: { kind: 'flag' },
  key: { kind: 'text' },
};

/** The shape `path` reads, or undefined after reporting why it reads nothing. */
export function resolvePath(path: hbs.AST.PathExpression, scope: Scope, report: Report): Shape | undefined {
  const [first, ...rest] = path.parts;
  if (path.data) {
    if (first === 'root') return walk(path, scope.root, path.parts.slice(1), scope, false, report);
    const data = first === undefined ? undefined : EACH_DATA[first];
    if (data !== undefined && scope.inEach && rest.length === 0) return data;
    const inside = scope.inEach ? '' : ' (and @index, @first, @last and @key inside {{#each}})';
    report(scope, path, `{{${path.original}}} is not defined here: there is @root${inside}`);
    return undefined;
  }
  const scoped = /^(\.|this\b)/.test(path.original);
  const param = scoped || path.depth > 0 ? undefined : scope.blockParams.find((each) => each.name === first);
  if (param !== undefined) return walk(path, param.frame, rest, scope, false, report);
  const frame = scope.frames[path.depth];
  if (frame === undefined) {
    report(
      scope,
      path,
      `{{${path.original}}} goes ${path.depth} level${path.depth === 1 ? '' : 's'} up, above the top of what this template is given`,
    );
    return undefined;
  }
  return walk(path, frame, path.parts, scope, path.depth === 0, report);
}

/**
 * Follows `parts` from `frame`, field by field. `fromContext`: the path starts at the
 * current context, so fields of enclosing contexts and block params are worth suggesting.
 */
function walk(
  path: hbs.AST.PathExpression,
  frame: Frame,
  parts: readonly string[],
  scope: Scope,
  fromContext: boolean,
  report: Report,
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
      report(
        scope,
        path,
        `{{${path.original}}}: ${subject()} is ${describeShape(shape)}; the fields of its items are read inside {{#each ${subject()}}}…{{/each}}`,
      );
      return undefined;
    }
    if (shape.kind !== 'object') {
      report(
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
      report(scope, path, unknownField(path, part, Object.keys(shape.fields), place, suggest, scope));
      return undefined;
    }
    shape = field.type;
    read = `${read}.${part}`;
  }
  return shape;
}

/** `no field 'greting' at the top level; did you mean 'greeting'? Fields here: …` */
function unknownField(
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
