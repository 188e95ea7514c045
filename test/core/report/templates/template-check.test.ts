import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTemplateFiles } from '../../../../src/adapters/local/template-folder';
import type { FieldMap, FieldType, ModelField } from '../../../../src/core/report/templates/model-fields';
import { REPORT_MODEL_FIELDS } from '../../../../src/core/report/templates/report-model-fields';
import {
  checkTemplateFields,
  type TemplateSource,
} from '../../../../src/core/report/templates/template-check';

const text: FieldType = { kind: 'text' };
const field = (type: FieldType, nullable = false): ModelField => ({ type, nullable, description: '' });

/** A small model, so that each expected message can be written out by hand. */
const MODEL: FieldMap = {
  title: field(text),
  greeting: field(text),
  hasItems: field({ kind: 'flag' }),
  tags: field({ kind: 'list', items: text }),
  items: field({
    kind: 'list',
    items: {
      kind: 'object',
      name: 'item',
      fields: {
        name: field(text),
        count: field({ kind: 'number' }),
        band: field({ kind: 'object', name: 'band', fields: { word: field(text), color: field(text) } }),
        chart: field({ kind: 'object', name: 'chart', fields: { alt: field(text) } }, true),
      },
    },
  }),
};

function check(main: string, partials: Record<string, string> = {}, model: FieldMap = MODEL) {
  const source = (name: string, body: string): TemplateSource => ({
    name,
    source: `/custom/${name}`,
    text: body,
  });
  return checkTemplateFields({
    mains: [source('email.txt.hbs', main)],
    partials: new Map(
      Object.entries(partials).map(([name, body]) => [name, source(`partials/${name}.hbs`, body)]),
    ),
    model,
  });
}

function details(main: string, partials?: Record<string, string>): string[] {
  return check(main, partials).map((problem) => `${problem.line}:${problem.column} ${problem.detail}`);
}

describe('the template field check', () => {
  it('accepts the built-in templates against the report model', async () => {
    // Arrange
    const files = await loadTemplateFiles();
    const source = (name: string, body: string) => ({ name, source: name, text: body });

    // Act
    const problems = checkTemplateFields({
      mains: files
        .filter((file) => !file.name.startsWith('partials/'))
        .map((file) => source(file.name, file.text)),
      partials: new Map(
        files
          .filter((file) => file.name.startsWith('partials/'))
          .map((file) => [file.name.slice('partials/'.length, -'.hbs'.length), source(file.name, file.text)]),
      ),
      model: REPORT_MODEL_FIELDS,
    });

    // Assert
    expect(problems).toEqual([]);
  });

  it('names the file, line and column of a misspelt field, the field meant and the fields there are', () => {
    const problems = check('Dear reader,\n  {{greting}}');

    expect(problems).toEqual([
      {
        template: '/custom/email.txt.hbs',
        line: 2,
        column: 5,
        detail:
          "{{greting}}: no field 'greting' at the top level; did you mean 'greeting'? Fields here: title, greeting, hasItems, tags, items",
      },
    ]);
  });

  it('lists the fields there are when no name is close', () => {
    expect(details('{{subject}}')).toEqual([
      "1:3 {{subject}}: no field 'subject' at the top level. Fields here: title, greeting, hasItems, tags, items",
    ]);
  });

  it('checks the arguments of #if and #unless, which strict mode never does, in branches no data reaches', () => {
    expect(details('{{#if hasItem}}{{else}}{{#unless titel}}x{{/unless}}{{/if}}')).toEqual([
      "1:7 {{hasItem}}: no field 'hasItem' at the top level; did you mean 'hasItems'? Fields here: title, greeting, hasItems, tags, items",
      "1:34 {{titel}}: no field 'titel' at the top level; did you mean 'title'? Fields here: title, greeting, hasItems, tags, items",
    ]);
  });

  it('reads the fields of one item inside #each, and offers ../ for a field of the context around it', () => {
    expect(
      details('{{#each items}}{{name}} {{count}} {{@index}} {{../title}}\n{{title}} {{nmae}}{{/each}}'),
    ).toEqual([
      "2:3 {{title}}: no field 'title' in one of items; did you mean '../title'? It is a field of the top level. Fields here: name, count, band, chart, and @index, @first, @last, @key",
      "2:13 {{nmae}}: no field 'nmae' in one of items; did you mean 'name'? Fields here: name, count, band, chart, and @index, @first, @last, @key",
    ]);
  });

  it('follows nested fields, and names the object a missing one was looked for in', () => {
    expect(details('{{#each items}}{{band.word}}{{band.wrod}}{{/each}}')).toEqual([
      "1:31 {{band.wrod}}: no field 'wrod' in band; did you mean 'word'? Fields here: word, color",
    ]);
  });

  it('counts ../ in contexts, as Handlebars does: #if and #unless add none, #each and #with one each', () => {
    // Arrange
    const valid =
      '{{#each items}}{{#if count}}{{../title}}{{/if}}{{#with band}}{{word}}{{../name}}{{../../title}}{{/with}}{{/each}}';

    // Act and Assert
    expect(details(valid)).toEqual([]);
    expect(details('{{#each items}}{{../../title}}{{/each}}')).toEqual([
      '1:18 {{../../title}} goes 2 levels up, above the top of what this template is given',
    ]);
  });

  it('resolves block params, @root and each data variables, and refuses data variables outside #each', () => {
    expect(
      details('{{#each items as |item i|}}{{item.name}}{{i}}{{@root.title}}{{@first}}{{/each}}'),
    ).toEqual([]);
    expect(details('{{#each items as |item|}}{{item.nmae}}{{/each}}{{@index}}{{@root.titl}}')).toEqual([
      "1:28 {{item.nmae}}: no field 'nmae' in one of items; did you mean 'name'? Fields here: name, count, band, chart",
      '1:50 {{@index}} is not defined here: there is @root (and @index, @first, @last and @key inside {{#each}})',
      "1:60 {{@root.titl}}: no field 'titl' at the top level; did you mean 'title'? Fields here: title, greeting, hasItems, tags, items",
    ]);
  });

  it('refuses a list or an object written out whole, and an item field read without #each', () => {
    expect(
      details('{{items}}{{#each items}}{{band}}{{/each}}{{items.name}}{{items.0.name}}{{items.length}}'),
    ).toEqual([
      '1:3 {{items}} is a list of items: show its items with {{#each items}}…{{/each}}',
      '1:27 {{band}} is a band: show one of its fields, e.g. {{band.word}}',
      '1:44 {{items.name}}: items is a list of items; the fields of its items are read inside {{#each items}}…{{/each}}',
    ]);
  });

  it('refuses a block helper with other than one argument, #each over a field that is not a list, and a text read as an object', () => {
    expect(details('{{#with items tags}}{{/with}}{{#if}}{{/if}}')).toEqual([
      '1:1 {{#with}} takes exactly one argument, not 2',
      '1:30 {{#if}} takes exactly one argument, not 0',
    ]);
    expect(details('{{#each title}}{{/each}}{{title.length}}{{#each tags}}{{this}}{{/each}}')).toEqual([
      '1:1 {{#each title}}: title is text, not a list',
      "1:27 {{title.length}}: title is text and has no field 'length'",
    ]);
  });

  it('refuses helpers that do not exist and checks the arguments of those that do', () => {
    expect(
      details('{{uppercase title}}{{lookup items 0}}{{#each (lookup items 0)}}{{/each}}{{lookup titl 0}}'),
    ).toEqual([
      "1:3 there is no helper 'uppercase': the helpers are #if, #unless, #each, #with, lookup and log",
      "1:82 {{titl}}: no field 'titl' at the top level; did you mean 'title'? Fields here: title, greeting, hasItems, tags, items",
    ]);
  });

  it('takes a section over a list as #each and over a flag as #if', () => {
    expect(
      details('{{#items}}{{name}}{{/items}}{{#hasItems}}{{title}}{{/hasItems}}{{^items}}{{title}}{{/items}}'),
    ).toEqual([]);
  });

  it("checks a partial in its caller's context, names the partial's file and where it is rendered from", () => {
    // Arrange
    const partials = { row: '<td>{{name}}</td>\n<td>{{vaule}}</td>' };

    // Act
    const problems = check(
      '{{#each items}}\n{{> row}}\n{{/each}}\n{{#each items}}{{> row}}{{/each}}',
      partials,
    );

    // Assert: once, though it is rendered twice
    expect(problems).toEqual([
      {
        template: '/custom/partials/row.hbs',
        line: 2,
        column: 7,
        detail:
          "{{vaule}}: no field 'vaule' in one of items. Fields here: name, count, band, chart, and @index, @first, @last, @key (rendered from email.txt.hbs, line 2)",
      },
    ]);
  });

  it('gives a partial the context passed to it, with its hash, but not the contexts around its caller', () => {
    // Arrange: as Handlebars renders it (without its compat mode), ../ in a partial reads nothing
    const partials = { badge: '{{word}} {{label}}', parent: '{{../title}}' };

    // Act and Assert
    expect(details('{{#each items}}{{> badge band label=name}}{{/each}}', partials)).toEqual([]);
    expect(details('{{#each items}}{{> badge}}{{/each}}', partials)).toEqual([
      "1:3 {{word}}: no field 'word' in one of items. Fields here: name, count, band, chart, and @index, @first, @last, @key (rendered from email.txt.hbs, line 1)",
      "1:12 {{label}}: no field 'label' in one of items. Fields here: name, count, band, chart, and @index, @first, @last, @key (rendered from email.txt.hbs, line 1)",
    ]);
    expect(details('{{#each items}}{{> parent}}{{/each}}', partials)).toEqual([
      '1:3 {{../title}} goes 1 level up, above the top of what this template is given (rendered from email.txt.hbs, line 1)',
    ]);
  });

  it('stops at a partial that includes itself, and refuses what cannot be checked', () => {
    expect(details('{{> again}}', { again: '{{#if hasItems}}{{> again}}{{/if}}{{titl}}' })).toHaveLength(1);
    expect(details('{{#*inline "x"}}y{{/inline}}{{> (lookup title 0)}}')).toEqual([
      '1:1 inline partials and decorators are not supported: put a partial in partials/<name>.hbs',
      '1:29 a partial chosen at render time cannot be checked: name it, {{> name}}',
    ]);
  });
});

describe('the template field check over the whole report model', () => {
  /** Every field path of the model, with the lists it goes through (read with #each). */
  function fieldPaths(fields: FieldMap, prefix: readonly string[] = []): string[][] {
    return Object.entries(fields).flatMap(([name, modelField]) => {
      const path = [...prefix, name];
      const type = modelField.type;
      if (type.kind === 'object') return [path, ...fieldPaths(type.fields, path)];
      if (type.kind === 'list' && type.items.kind === 'object') {
        return [path, ...fieldPaths(type.items.fields, [...path, '[]'])];
      }
      return [path];
    });
  }

  /** `views [] kpis [] band word` → `{{#each views}}{{#each kpis}}{{#if band.word}}x{{/if}}{{/each}}{{/each}}`. */
  function templateReading(path: readonly string[]): string {
    const segments = path.join('.').split('.[].');
    const last = segments.pop() ?? '';
    const opening = segments.map((segment) => `{{#each ${segment}}}`).join('');
    return `${opening}{{#if ${last}}}x{{/if}}${'{{/each}}'.repeat(segments.length)}`;
  }

  /** The names of the fields beside the last one of `path`. */
  function siblings(path: readonly string[]): string[] {
    let fields: FieldMap = REPORT_MODEL_FIELDS;
    for (const name of path.slice(0, -1)) {
      if (name === '[]') continue;
      const type = fields[name]?.type;
      const inner = type?.kind === 'list' ? type.items : type;
      fields = inner?.kind === 'object' ? inner.fields : {};
    }
    return Object.keys(fields);
  }

  const paths = fieldPaths(REPORT_MODEL_FIELDS);

  it('accepts every field of the reference in its context', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), (path) => {
        const problems = checkTemplateFields({
          mains: [{ name: 'x.hbs', source: 'x.hbs', text: templateReading(path) }],
          partials: new Map(),
          model: REPORT_MODEL_FIELDS,
        });
        expect(problems).toEqual([]);
      }),
    );
  });

  it('refuses every field with a letter changed, unless that makes another field, and suggests the field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.nat(), fc.constantFrom('q', 'z', 'x'), (path, at, letter) => {
        // Arrange
        const name = path.at(-1) ?? '';
        const index = at % name.length;
        const misspelt = `${name.slice(0, index)}${letter}${name.slice(index + 1)}`;
        fc.pre(!siblings(path).includes(misspelt));
        const mutated = [...path.slice(0, -1), misspelt];

        // Act
        const problems = checkTemplateFields({
          mains: [{ name: 'x.hbs', source: 'x.hbs', text: templateReading(mutated) }],
          partials: new Map(),
          model: REPORT_MODEL_FIELDS,
        });

        // Assert
        expect(problems).toHaveLength(1);
        expect(problems[0]?.detail).toContain(`no field '${misspelt}'`);
        expect(problems[0]?.detail).toMatch(/did you mean '[a-zA-Z./]+'\?/);
      }),
    );
  });
});
