/** The configuration's JSON Schema: generated from the zod schema, and the committed file current. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_FILE, configJsonSchema } from '../../src/cli/config-json-schema';
import { configSchema } from '../../src/core/config';

describe('kpi-report.schema.json', () => {
  it('is current: run `npx tsx scripts/config-json-schema.ts` after changing the configuration', () => {
    // Arrange
    const committed: unknown = JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8'));

    // Act
    const generated: unknown = JSON.parse(configJsonSchema());

    // Assert
    expect(committed).toEqual(generated);
  });

  it('describes every top-level field of the configuration, $schema included, and no other', () => {
    // Act
    const schema = JSON.parse(configJsonSchema()) as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };

    // Assert
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(configSchema.shape).sort());
    expect(schema.properties).toHaveProperty('$schema');
    expect(schema.additionalProperties).toBe(false);
  });
});
