/**
 * The shape of the report model as the email templates see it: which fields exist, what
 * each holds and what it means. `report-model-fields.ts` holds the report model's shape,
 * generated from its TypeScript types; the template check (`template-check.ts`) and the
 * reference in templates/README.md both read it.
 */

/** What a field holds. A list's items and an object's fields have shapes of their own. */
export type FieldType =
  | { readonly kind: 'text' }
  | { readonly kind: 'number' }
  | { readonly kind: 'flag' }
  /** Text that is always one of `values`. */
  | { readonly kind: 'choice'; readonly values: readonly string[] }
  | { readonly kind: 'list'; readonly items: FieldType }
  | { readonly kind: 'object'; readonly name: string; readonly fields: FieldMap };

export interface ModelField {
  readonly type: FieldType;
  /** Whether the field can be `null` (then `{{#if}}` must guard what is read inside it). */
  readonly nullable: boolean;
  /** What the field holds, from the JSDoc of its declaration. */
  readonly description: string;
}

export type FieldMap = Readonly<Record<string, ModelField>>;

/** `text`, `list of texts`, `yes/no`, for messages and the reference. */
export function describeFieldType(type: FieldType): string {
  switch (type.kind) {
    case 'text':
      return 'text';
    case 'number':
      return 'number';
    case 'flag':
      return 'yes/no';
    case 'choice':
      return `one of ${type.values.map((value) => `\`${value}\``).join(', ')}`;
    case 'list':
      return `list of ${pluralOf(type.items)}`;
    case 'object':
      return itemNoun(type.name);
  }
}

/** `missing data` is not countable: one of a list of them is a `missing data entry`. */
export function itemNoun(name: string): string {
  return /(data|attention|quality)$/.test(name) ? `${name} entry` : name;
}

function pluralOf(type: FieldType): string {
  switch (type.kind) {
    case 'text':
    case 'choice':
      return 'texts';
    case 'number':
      return 'numbers';
    case 'flag':
      return 'yes/no values';
    case 'list':
      return 'lists';
    case 'object':
      return itemNoun(type.name).replace(/y$/, 'ie').concat('s');
  }
}
