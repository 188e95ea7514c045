// Writes kpi-report.schema.json, the configuration's JSON Schema, from the zod schema
// (src/cli/config-json-schema.ts), in the repository's JSON format (Biome).
// test/cli/config-json-schema.test.ts fails until it is current.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { CONFIG_SCHEMA_FILE, configJsonSchema } from '../src/cli/config-json-schema';

writeFileSync(CONFIG_SCHEMA_FILE, configJsonSchema());
execFileSync('npx', ['biome', 'format', '--write', CONFIG_SCHEMA_FILE], { stdio: 'inherit' });
console.log(`Wrote ${CONFIG_SCHEMA_FILE}`);
