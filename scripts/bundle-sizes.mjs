// Prints the size of each Lambda bundle in a synthesised cloud assembly (default cdk.out):
// which asset folder belongs to which function is read from the stack templates.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const out = process.argv[2] ?? 'cdk.out';
const sizeOf = (dir) =>
  readdirSync(dir, { recursive: true })
    .map((name) => path.join(dir, String(name)))
    .filter((file) => statSync(file).isFile())
    .reduce((sum, file) => sum + statSync(file).size, 0);
const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;

for (const templateFile of readdirSync(out).filter((name) => name.endsWith('.template.json'))) {
  const template = JSON.parse(readFileSync(path.join(out, templateFile), 'utf8'));
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const key = resource.Type === 'AWS::Lambda::Function' ? resource.Properties?.Code?.S3Key : undefined;
    if (typeof key !== 'string') continue;
    const dir = path.join(out, `asset.${key.replace(/\.zip$/, '')}`);
    const bundle = statSync(path.join(dir, 'index.mjs')).size;
    console.log(
      `${id}: index.mjs ${kb(bundle)}, whole asset ${kb(sizeOf(dir))} (templates, wasm, fonts, source map)`,
    );
  }
}
