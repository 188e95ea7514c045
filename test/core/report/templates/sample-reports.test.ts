import { describe, expect, it } from 'vitest';
import type { FieldMap } from '../../../../src/core/report/templates/model-fields';
import { REPORT_MODEL_FIELDS } from '../../../../src/core/report/templates/report-model-fields';
import { sampleReports } from '../../../../src/core/report/templates/sample-reports';

interface PathValues {
  readonly nullable: boolean;
  readonly values: unknown[];
}

/** Every value each field path takes across `values` (items of lists flattened, `[]` in the path). */
function valuesByPath(fields: FieldMap, values: readonly unknown[], prefix = ''): Map<string, PathValues> {
  const found = new Map<string, PathValues>();
  for (const [name, field] of Object.entries(fields)) {
    const path = `${prefix}${name}`;
    const own = values.map((value) => (value as Record<string, unknown>)[name]);
    found.set(path, { nullable: field.nullable, values: own });
    const present = own.filter((value) => value !== null && value !== undefined);
    if (field.type.kind === 'object') {
      for (const [key, inner] of valuesByPath(field.type.fields, present, `${path}.`)) found.set(key, inner);
    }
    if (field.type.kind === 'list' && field.type.items.kind === 'object') {
      const items = present.flatMap((list) => list as unknown[]);
      for (const [key, inner] of valuesByPath(field.type.items.fields, items, `${path}[].`))
        found.set(key, inner);
    }
  }
  return found;
}

describe('the sample reports every template set is rendered with at start-up', () => {
  const models = sampleReports().map((sample) => sample.model);
  const byPath = valuesByPath(REPORT_MODEL_FIELDS, models);

  it('take each kind of message: the company, one segment, several segments, and a first quarter', () => {
    expect(models.map((model) => [model.isSegmentView, model.views.length, model.hasSegmentTables])).toEqual([
      [false, 1, false],
      [true, 1, false],
      [true, 0, true],
      [false, 1, false],
      [true, 0, true],
    ]);
  });

  it('make every yes/no field both yes and no, so that every {{#if}} branch is rendered', () => {
    const oneSided = [...byPath.entries()]
      .filter(([, { values }]) => values.length > 0 && values.every((value) => typeof value === 'boolean'))
      .filter(([, { values }]) => !(values.includes(true) && values.includes(false)))
      .map(([path]) => path);

    expect(oneSided).toEqual([]);
  });

  it('give every list an item somewhere, so that every {{#each}} body is rendered', () => {
    const neverFilled = [...byPath.entries()]
      .filter(([, { values }]) => values.some((value) => Array.isArray(value)))
      .filter(([, { values }]) => !values.some((value) => Array.isArray(value) && value.length > 0))
      .map(([path]) => path);

    expect(neverFilled).toEqual([]);
  });

  it('make every field that can be null both null and not, so that reading it unguarded fails', () => {
    const nullable = [...byPath.entries()].filter(([, { nullable }]) => nullable);
    const oneSided = nullable
      .filter(([, { values }]) => !(values.includes(null) && values.some((value) => value !== null)))
      .map(([path]) => path);

    expect(nullable.map(([path]) => path)).toContain('views[].kpis[].chart');
    expect(oneSided).toEqual([]);
  });

  it('give every field a value in every item (no field is missing from the model)', () => {
    const missing = [...byPath.entries()]
      .filter(([, { values }]) => values.some((value) => value === undefined))
      .map(([path]) => path);

    expect(missing).toEqual([]);
  });
});
