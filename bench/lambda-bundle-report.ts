/**
 * Each Lambda bundle's size and cold import time, measured by bench/lambda-bundles.ts
 * (owned by the infrastructure side, which knows how the bundles are built). That module
 * is loaded at run time by path, so the benchmark runs, and typechecks, without it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Table } from './results-tables';

/** What `measureLambdaBundles()` resolves to, per bundle. */
export interface LambdaBundleMeasure {
  readonly name: string;
  readonly bundleBytes: number;
  readonly assetBytes: number;
  readonly coldImportMs: number;
  readonly emptyScriptMs: number;
}

type MeasureLambdaBundles = () => Promise<LambdaBundleMeasure[]>;

const MODULE_PATH = resolve('bench/lambda-bundles.ts');

/** The table, or a one-line reason why there is none. */
export async function lambdaBundleTable(): Promise<Table | string> {
  if (!existsSync(MODULE_PATH)) return 'Lambda bundles: bench/lambda-bundles.ts not present';
  const module = (await import(pathToFileURL(MODULE_PATH).href)) as {
    measureLambdaBundles?: MeasureLambdaBundles;
  };
  if (typeof module.measureLambdaBundles !== 'function') {
    return 'Lambda bundles: bench/lambda-bundles.ts does not export measureLambdaBundles()';
  }
  let bundles: LambdaBundleMeasure[];
  try {
    bundles = await module.measureLambdaBundles();
  } catch (error) {
    // The benchmark's own results are already in; a bundling problem should not cost them.
    return `Lambda bundles: measuring failed: ${(error as Error).message}`;
  }
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  return {
    title: 'Lambda bundles: size and cold import time (measured by bench/lambda-bundles.ts)',
    header: ['Lambda', 'bundle', 'whole asset', 'cold import', 'empty node process'],
    numeric: [false, true, true, true, true],
    rows: bundles.map((bundle) => [
      bundle.name,
      kib(bundle.bundleBytes),
      kib(bundle.assetBytes),
      `${bundle.coldImportMs.toFixed(0)} ms`,
      `${bundle.emptyScriptMs.toFixed(0)} ms`,
    ]),
    notes: [
      'bundle: the JavaScript a cold start loads; cold import: importing it in a fresh node process, on top of the empty process.',
    ],
  };
}
