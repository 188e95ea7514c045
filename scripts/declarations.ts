/**
 * What the package's declaration builds share (scripts/build-api.ts, scripts/build-cdk.ts):
 * relative imports given their `.js` extension, which NodeNext needs (it resolves nothing
 * else), and the check that a set of declarations imports only what a consumer has.
 */
import path from 'node:path';
import ts from 'typescript';

/** `from './x'` → `from './x.js'`, in every relative import and export of a declaration file. */
export function withJsExtensions(declarations: string): string {
  return declarations.replace(/(from\s+['"])(\.{1,2}\/[^'"]+?)(['"])/g, (_m, open, specifier, close) =>
    specifier.endsWith('.js') ? `${open}${specifier}${close}` : `${open}${specifier}.js${close}`,
  );
}

/**
 * The declarations reachable from `entry` through relative imports, from the emitted ones
 * (by absolute file name). Throws when one imports a file that was not emitted, or a package
 * `allowedPackages` does not match: the published types then need nothing else installed.
 */
export function reachableDeclarations(
  emitted: ReadonlyMap<string, string>,
  entry: string,
  allowedPackages: RegExp,
): Map<string, string> {
  const reached = new Map<string, string>();
  const visit = (file: string) => {
    if (reached.has(file)) return;
    const text = emitted.get(file);
    if (text === undefined) throw new Error(`${file} was not emitted`);
    reached.set(file, text);
    // TypeScript's own scanner: a specifier in a doc comment's example is no import.
    for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
      if (specifier.startsWith('.')) {
        visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.d.ts')));
      } else if (!allowedPackages.test(specifier)) {
        throw new Error(`${file} imports ${specifier}, which a consumer of the declarations may not have`);
      }
    }
  };
  visit(entry);
  return reached;
}
