/**
 * The configuration file's JSON Schema, generated from the zod schema that parses it (so
 * the two cannot disagree): editors complete and check `kpi-report.json` when its `$schema`
 * names it. `kpi-report.schema.json` in the repository is this output (a test keeps it
 * current; `npx tsx scripts/config-json-schema.ts` writes it), and `init` writes it beside
 * the starter configuration. Describes the file as written (zod's input side): every field
 * optional, with its default.
 */
import * as z from 'zod';
import { configSchema } from '../core/config';

export const CONFIG_SCHEMA_FILE = 'kpi-report.schema.json';

export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
  const titled = { ...schema, title: 'kpi-report configuration (kpi-report.json)' };
  return `${JSON.stringify(titled, null, 2)}\n`;
}
