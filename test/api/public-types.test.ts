/**
 * The API's written-out types are the engine's own, field for field: the snapshot's
 * interface is the output of its schema, the settings' interface the input of the
 * configuration's schema (readonly aside). A field added to a schema fails this test until
 * the public interface has it too (as a type error: `npx tsc --noEmit`, part of `npm test`).
 */
import { describe, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import type { KpiReportSettings, KpiSnapshot } from '../../src/api/index';
import type { configSchema } from '../../src/core/config';
import type { Snapshot } from '../../src/core/snapshot';

/** The type with every `readonly` taken away, at every depth. */
type Writable<T> = T extends readonly (infer Item)[]
  ? Writable<Item>[]
  : T extends object
    ? { -readonly [K in keyof T]: Writable<T[K]> }
    : T;

describe('the public types', () => {
  it('KpiSnapshot is the snapshot schema’s output', () => {
    expectTypeOf<Writable<KpiSnapshot>>().toEqualTypeOf<Writable<Snapshot>>();
  });

  it('KpiReportSettings is the configuration schema’s input', () => {
    expectTypeOf<Writable<KpiReportSettings>>().toEqualTypeOf<Writable<z.input<typeof configSchema>>>();
  });
});
