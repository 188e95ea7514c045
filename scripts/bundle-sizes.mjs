// Prints the size of each Lambda bundle in a synthesised cloud assembly (default cdk.out):
// which asset folder belongs to which function is read from the stack templates. "Startup JS"
// is index.mjs plus the chunks it imports statically, what a cold start reads; the chunks it
// imports with import() (the email rendering) are loaded on first use.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const out = process.argv[2] ?? 'cdk.out';
const sizeOf = (dir) =>
  readdirSync(dir, { recursive: true })
    .map((name) => path.join(dir, String(name)))
    .filter((file) => statSync(file).isFile())
    .reduce((sum, file) => sum + statSync(file).size, 0);
const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;

/** index.mjs and the chunks it imports statically (`from"./x.mjs"`, `import"./x.mjs"`, not `import("./x.mjs")`). */
function startupFiles(dir) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const text = readFileSync(path.join(dir, name), 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*"\.\/([^"]+\.mjs)"/g)) visit(match[1]);
  };
  visit('index.mjs');
  return [...seen];
}

for (const templateFile of readdirSync(out).filter((name) => name.endsWith('.template.json'))) {
  const template = JSON.parse(readFileSync(path.join(out, templateFile), 'utf8'));
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const key = resource.Type === 'AWS::Lambda::Function' ? resource.Properties?.Code?.S3Key : undefined;
    if (typeof key !== 'string') continue;
    const dir = path.join(out, `asset.${key.replace(/\.zip$/, '')}`);
    if (!existsSync(path.join(dir, 'index.mjs'))) continue; // not a kpi-report bundle (a CDK helper)
    const index = statSync(path.join(dir, 'index.mjs')).size;
    const startup = startupFiles(dir).reduce((sum, name) => sum + statSync(path.join(dir, name)).size, 0);
    const chunks = readdirSync(dir).filter((name) => name.endsWith('.mjs')).length - 1;
    const extras = ['templates', 'assets', 'ingest-worker.mjs'].filter((name) =>
      existsSync(path.join(dir, name)),
    );
    console.log(
      `${id}: index.mjs ${kb(index)}, startup JS ${kb(startup)}, whole asset ${kb(sizeOf(dir))} (${chunks} other .mjs files, source maps${extras.length > 0 ? `, ${extras.join(', ')}` : ''})`,
    );
  }
}
