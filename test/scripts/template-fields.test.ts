import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  describeReportModel,
  REFERENCE_FILE,
  renderFieldReference,
  withReference,
} from '../../scripts/template-fields';
import { REPORT_MODEL_FIELDS } from '../../src/core/report/templates/report-model-fields';

// The TypeScript compiler reads the model's sources: seconds on a busy machine.
const COMPILER_TIMEOUT = 120_000;

describe('the template field reference', () => {
  it(
    'the committed field shape is what the report model types describe (else run npm run docs:templates)',
    () => {
      // Act
      const described = describeReportModel();

      // Assert
      expect(REPORT_MODEL_FIELDS).toEqual(described);
    },
    COMPILER_TIMEOUT,
  );

  it('templates/README.md holds the reference of the committed fields (else run npm run docs:templates)', async () => {
    // Arrange
    const readme = await readFile(REFERENCE_FILE, 'utf8');

    // Act
    const regenerated = withReference(readme, renderFieldReference(REPORT_MODEL_FIELDS));

    // Assert
    expect(readme).toBe(regenerated);
  });

  it('leaves out a field marked @internal, and documents every other one with its type', () => {
    // Arrange
    const attention = REPORT_MODEL_FIELDS.attention?.type;
    const items = attention?.kind === 'list' ? attention.items : undefined;

    // Act
    const reference = renderFieldReference(REPORT_MODEL_FIELDS);

    // Assert
    expect(items?.kind).toBe('object');
    expect(Object.keys(items?.kind === 'object' ? items.fields : {})).toEqual([
      'id',
      'name',
      'reasons',
      'levers',
    ]);
    expect(reference).not.toContain('findings');
    expect(reference).toContain('| `greeting` | text |');
    expect(reference).toContain('| `views` | list of views |');
    expect(reference).toContain('| `chart` | chart, or null |');
    expect(reference).toContain('| `qoq.verdict` | one of `better`, `worse`, `noise`, `unchanged`, `none` |');
    expect(reference).toContain('### Each of `views[].kpis`');
  });

  it('refuses a README without the generated section, instead of appending one somewhere', () => {
    expect(() => withReference('# templates\n', 'reference')).toThrow(/has no <!-- template-fields/);
  });
});
