/**
 * Reads the email templates: the built-in `templates/` folder, overlaid file by file with an
 * operator's folder (`email.templateDir`), so a custom folder holds only what it changes.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TemplateError, type TemplateFile } from '../../core/report/templates/email-templates';

/**
 * Where the built-in templates are: `templates/` beside the bundle (the CLI's `dist/` and
 * every Lambda asset carry a copy), or, running from source, the repository's `templates/`
 * three folders up from this module. Nothing else is looked at: an installed package must
 * never take the `templates/` folder of the project it is installed in for its own.
 */
export function builtInTemplateDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'templates')];
  if (here.endsWith(path.join('src', 'adapters', 'local')))
    candidates.push(path.resolve(here, '../../../templates'));
  const found = candidates.find((candidate) => existsSync(path.join(candidate, 'email.html.hbs')));
  if (found === undefined) {
    throw new Error(`the built-in email templates are missing; looked in ${candidates.join(', ')}`);
  }
  return found;
}

async function readTemplateDir(root: string): Promise<TemplateFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.hbs'));
  return Promise.all(
    files.map(async (entry) => {
      const full = path.join(entry.parentPath, entry.name);
      return {
        name: path.relative(root, full).split(path.sep).join('/'),
        text: await readFile(full, 'utf8'),
      };
    }),
  );
}

/**
 * The template set to compile. A custom folder must exist, and each of its `.hbs` files
 * must replace a built-in one (a misspelt name would otherwise be silently ignored).
 */
export async function loadTemplateFiles(customDir?: string): Promise<TemplateFile[]> {
  const builtIn = await readTemplateDir(builtInTemplateDir());
  if (customDir === undefined) return builtIn;
  if (!existsSync(customDir)) {
    throw new TemplateError(customDir, undefined, 'the template folder (email.templateDir) does not exist');
  }
  const known = new Map(builtIn.map((file) => [file.name, file]));
  for (const file of await readTemplateDir(customDir)) {
    if (!known.has(file.name)) {
      throw new TemplateError(
        path.join(customDir, file.name),
        undefined,
        `not a template kpi-report uses; name it after one of: ${[...known.keys()].sort().join(', ')}`,
      );
    }
    known.set(file.name, { ...file, source: path.join(customDir, file.name) });
  }
  return [...known.values()];
}
