/**
 * Builds the construct library the package exports as `kpi-report/cdk` into dist/cdk/:
 *
 * - `index.mjs`: infra/cdk.ts bundled by esbuild, with `aws-cdk-lib` and `constructs` left
 *   to the consuming app (peer dependencies) and everything else (zod, the configuration
 *   schema) inside;
 * - `functions/<name>/`: each Lambda function bundled now, exactly as a synth in the
 *   repository bundles it (`bundleLambda`), because an installed package has neither the
 *   handlers' sources nor esbuild; `ReportFunction` deploys these when they are there;
 * - `index.d.ts` and `types/`: the declarations, emitted by TypeScript, with relative
 *   imports given their `.js` extension (NodeNext resolves nothing else) and the
 *   configuration's type written out in full, so that they import only `aws-cdk-lib` and
 *   `constructs`. The build fails if a declaration imports anything else.
 *
 * Run by `npm run build` and `prepare` after scripts/build.mjs; KPI_BUILD_OUTDIR builds
 * elsewhere, as there.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';
import { bundleLambda } from '../infra/lambda-bundling';
import { REPORT_FUNCTION_ENTRIES } from '../infra/quarterly-kpi-reports';
import { prebuiltFunctionName } from '../infra/report-function';
import { withJsExtensions } from './declarations';

const ENTRY = 'infra/cdk.ts';
/** The one module whose type is written out, and the alias it declares. */
const CONFIGURATION_MODULE = 'infra/deployed-configuration.ts';
const CONFIGURATION_TYPE = 'KpiReportConfiguration';
/** What the declarations may import: the consuming app's own CDK. */
const PEER_MODULES = /^(aws-cdk-lib(\/.*)?|constructs)$/;

const projectRoot = process.cwd();
// Absolute: the reachability check compares the emitted files' absolute names.
const outdir = path.resolve(process.env.KPI_BUILD_OUTDIR ?? 'dist', 'cdk');
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: { index: ENTRY },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  mainFields: ['module', 'main'],
  external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'esbuild'],
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});

for (const entry of Object.values(REPORT_FUNCTION_ENTRIES)) {
  bundleLambda({ projectRoot, entry, outdir: path.join(outdir, 'functions', prebuiltFunctionName(entry)) });
}

emitDeclarations(path.join(outdir, 'types'));
writeFileSync(path.join(outdir, 'index.d.ts'), "export * from './types/cdk.js';\n");
checkDeclarationImports(path.join(outdir, 'index.d.ts'));

function emitDeclarations(typesDir: string): void {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: path.join(projectRoot, 'infra'),
    outDir: typesDir,
  };
  const program = ts.createProgram([ENTRY], options);
  const configuration = writtenOutType(program);
  const infra = path.join(projectRoot, 'infra') + path.sep;
  program.emit(undefined, (fileName, text, _bom, _onError, sources) => {
    // Only the infra/ modules are public; src/ is bundled into index.mjs, never declared.
    const source = sources?.[0]?.fileName;
    if (source === undefined || !path.resolve(source).startsWith(infra)) return;
    let declarations = withJsExtensions(text);
    if (path.resolve(source) === path.resolve(CONFIGURATION_MODULE)) {
      const alias = new RegExp(`export type ${CONFIGURATION_TYPE} = [^;]+;`);
      if (!alias.test(declarations))
        throw new Error(`${CONFIGURATION_MODULE}: ${CONFIGURATION_TYPE} not found`);
      declarations = declarations
        .replace(alias, `export type ${CONFIGURATION_TYPE} = ${configuration};`)
        .replace(/^import .*from ['"](zod|\.\.\/src\/[^'"]+)['"];\n/gm, '');
    }
    mkdirSync(path.dirname(fileName), { recursive: true });
    writeFileSync(fileName, declarations);
  });
}

/** The configuration's type as TypeScript resolves it: plain object types, no zod. */
function writtenOutType(program: ts.Program): string {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(CONFIGURATION_MODULE);
  let written: string | undefined;
  source?.forEachChild((node) => {
    if (ts.isTypeAliasDeclaration(node) && node.name.text === CONFIGURATION_TYPE) {
      written = checker.typeToString(
        checker.getTypeAtLocation(node.name),
        undefined,
        ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.InTypeAlias,
      );
    }
  });
  if (written === undefined) throw new Error(`${CONFIGURATION_MODULE}: ${CONFIGURATION_TYPE} not found`);
  return written;
}

/** Every declaration reachable from `entry` imports only the peers and files that exist. */
function checkDeclarationImports(entry: string): void {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.d.ts'));
        if (!existsSync(target)) throw new Error(`${file} imports ${specifier}, which was not emitted`);
        visit(target);
      } else if (!PEER_MODULES.test(specifier)) {
        throw new Error(
          `${file} imports ${specifier}: the declarations may import only aws-cdk-lib and constructs`,
        );
      }
    }
  };
  visit(entry);
  // Declarations nobody reaches are left out of the package.
  for (const name of readdirSync(path.join(outdir, 'types'))) {
    const file = path.join(outdir, 'types', name);
    if (!seen.has(file)) rmSync(file, { recursive: true, force: true });
  }
}
