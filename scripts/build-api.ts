/**
 * Builds the declarations of the package's root export (`kpi-report`, src/api/index.ts),
 * whose JavaScript scripts/build.mjs bundles as dist/index.mjs:
 *
 * - `index.d.ts` and `types/`: the declarations TypeScript emits for src/, of which only
 *   those reachable from src/api/index.ts are kept (the API's own files, and the store port
 *   and error classes it re-exports from the core), with `.js` on relative imports.
 *
 * The build fails if a kept declaration imports any package: the API's types are written
 * out (src/api/snapshot.ts, src/api/settings.ts), so that a consumer type-checks with
 * `skipLibCheck: false` and nothing of the engine's dependencies (zod…) installed.
 *
 * Run by `npm run build` and `prepare` after scripts/build.mjs; KPI_BUILD_OUTDIR builds
 * elsewhere, as there.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { reachableDeclarations, withJsExtensions } from './declarations';

const ENTRY = 'src/api/index.ts';
/** No package at all: every type the API names is declared in the package itself. */
const NO_PACKAGES = /^$/;

const projectRoot = process.cwd();
const outdir = process.env.KPI_BUILD_OUTDIR ?? 'dist';
const typesDir = path.resolve(outdir, 'types');
const sourceRoot = path.join(projectRoot, 'src');

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  resolveJsonModule: true,
  strict: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: true,
  declaration: true,
  emitDeclarationOnly: true,
  rootDir: sourceRoot,
  outDir: typesDir,
};
const emitted = new Map<string, string>();
ts.createProgram([ENTRY], options).emit(undefined, (fileName, text) => {
  if (fileName.endsWith('.d.ts')) emitted.set(path.resolve(fileName), withJsExtensions(text));
});
const entry = path.join(typesDir, 'api', 'index.d.ts');
for (const [file, text] of reachableDeclarations(emitted, entry, NO_PACKAGES)) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}
writeFileSync(path.resolve(outdir, 'index.d.ts'), "export * from './types/api/index.js';\n");
