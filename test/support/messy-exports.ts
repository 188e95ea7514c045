/**
 * fast-check arbitraries for messy export sets: repeated and unknown ids, every date and
 * date-time shape (and broken ones), odd channel spellings, Object's member names
 * (`constructor`, `__proto__`) as ids, channels and segments, numbers of 400 digits,
 * spaces to trim, non-ASCII, quoted fields holding commas, quotes and line breaks,
 * malformed quoting, BOMs, blank lines, CRLF, LF and lone CR line endings, and datasets
 * split into (gzipped) parts.
 */
import fc from 'fast-check';

const clientIds = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', ' C7', 'Cé', 'C"9', 'C,10', 'X404', 'constructor'];
/** 400 digits: digits, but no finite number. */
const HUGE = `1${'0'.repeat(399)}`;
const padded = (value: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.constantFrom('', '', '', ' ', '\t'), value, fc.constantFrom('', '', '', ' '))
    .map(([a, v, b]) => a + v + b);

const date = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .date({ min: new Date('2025-01-01'), max: new Date('2026-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
  },
  { weight: 1, arbitrary: fc.constantFrom('2026-02-30', '2026-13-01', '26-07-01', '', 'soon', '2026-7-1') },
);

const eventTime = fc.oneof(
  { weight: 3, arbitrary: date },
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.date({ min: new Date('2026-06-29'), max: new Date('2026-10-02'), noInvalidDate: true }),
        fc.constantFrom(
          'Z',
          'z',
          '+02:00',
          '-08:00',
          '',
          '+0530',
          '+14:00',
          '-12:00',
          '+19:00',
          '.123Z',
          '.5+01:00',
        ),
        fc.constantFrom('T', ' ', 'T', 'T'),
        fc.boolean(),
      )
      .map(([d, zone, separator, withSeconds]) => {
        const iso = d.toISOString();
        const time = withSeconds ? iso.slice(11, 19) : iso.slice(11, 16);
        return `${iso.slice(0, 10)}${separator}${time}${zone}`;
      }),
  },
  { weight: 1, arbitrary: fc.constantFrom('2026-07-01T25:00:00Z', '2026-07-01T10:61Z', 'yesterday') },
);

export interface MessyExportSet {
  readonly files: Record<string, string>;
}

const row = (cells: fc.Arbitrary<string>[]) => fc.tuple(...cells);

export const messyExportSet: fc.Arbitrary<MessyExportSet> = fc
  .record({
    clients: fc.array(
      row([
        padded(fc.constantFrom(...clientIds)),
        padded(date),
        fc.oneof(fc.constant(''), date),
        fc.constantFrom(
          'Platform',
          'Analytics',
          '',
          ' Platform',
          'Plätform',
          'A,B',
          '__proto__',
          'constructor',
        ),
        fc.constantFrom('SMB', 'Enterprise', ''),
      ]),
      { minLength: 1, maxLength: 12 },
    ),
    interactions: fc.array(
      row([
        padded(fc.constantFrom('I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7', 'I8', 'Ié', 'I"q', '')),
        padded(fc.constantFrom(...clientIds, '')),
        eventTime,
        padded(
          fc.constantFrom(
            'self_service',
            'assisted',
            'Self_Service',
            'ASSISTED',
            'portal',
            'phone',
            'email',
            '',
            'constructor',
            '__proto__',
            'toString',
          ),
        ),
      ]),
      { maxLength: 40 },
    ),
    services: fc.array(
      row([
        padded(fc.constantFrom(...clientIds)),
        padded(fc.constantFrom('api', 'sso', 'training', 'Über', '')),
        date,
        fc.oneof(fc.constant(''), date),
      ]),
      { maxLength: 15 },
    ),
    surveys: fc.array(
      row([
        padded(fc.constantFrom('R1', 'R2', 'R3', 'R4', 'R5', '')),
        padded(fc.constantFrom(...clientIds)),
        eventTime,
        padded(fc.constantFrom('cess', 'nps', 'NPS', 'Cess', 'csat')),
        padded(
          fc.constantFrom(
            '0',
            '7',
            '10',
            '9',
            '6',
            '55',
            '100',
            '7.5',
            '-1',
            '101',
            '011',
            '+5',
            'x',
            '',
            HUGE,
          ),
        ),
        fc.constantFrom('', '', '10', '5', '0', '200', HUGE),
      ]),
      { maxLength: 15 },
    ),
    costs: fc.array(
      row([
        date,
        fc.constantFrom(
          '10',
          '1234.56',
          '-5.5',
          '.25',
          '1e3',
          '',
          '0.1234567891',
          HUGE,
          '-999999999999999.999',
        ),
        fc.constantFrom('', 'C1', 'C3', 'X404'),
      ]),
      { maxLength: 8 },
    ),
    layout: fc.record({
      bom: fc.boolean(),
      lineEnding: fc.constantFrom('\n', '\r\n', '\r'),
      quoteEverything: fc.boolean(),
      blankLines: fc.boolean(),
      interactionParts: fc.constantFrom(0, 2, 3),
      gzipParts: fc.boolean(),
      brokenRow: fc.boolean(),
      finalNewline: fc.boolean(),
      shuffledHeader: fc.boolean(),
    }),
  })
  .map(({ clients, interactions, services, surveys, costs, layout }) => {
    const csv = (header: string[], rows: readonly (readonly string[])[]) => {
      const order = layout.shuffledHeader ? [...header.keys()].reverse() : [...header.keys()];
      const cell = (value: string) =>
        layout.quoteEverything || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
      const lines = [order.map((i) => header[i] as string).join(',')];
      rows.forEach((cells, index) => {
        lines.push(order.map((i) => cell(cells[i] ?? '')).join(','));
        if (layout.blankLines && index % 3 === 1) lines.push('');
      });
      // Malformed rows: text after a closing quote, and a stray quote that swallows the next line.
      if (layout.brokenRow) {
        lines.push(
          'I9,C1,2026-08-01,"assisted"x',
          '"I10,C1,2026-08-01,assisted',
          'I11,C1,2026-08-01,assisted"z',
        );
      }
      const body = lines.join(layout.lineEnding) + (layout.finalNewline ? layout.lineEnding : '');
      return (layout.bom ? '\uFEFF' : '') + body;
    };
    const files: Record<string, string> = {
      'clients.csv': csv(['client_id', 'customer_since', 'churned_on', 'product', 'size'], clients),
      'services.csv': csv(['client_id', 'service', 'started_on', 'ended_on'], services),
      'surveys.csv': csv(
        ['response_id', 'client_id', 'submitted_at', 'survey', 'score', 'scale_max'],
        surveys,
      ),
      'support_costs.csv': csv(['incurred_on', 'amount', 'client_id'], costs),
    };
    const interactionHeader = ['interaction_id', 'client_id', 'occurred_at', 'channel'];
    if (layout.interactionParts === 0) {
      files['interactions.csv'] = csv(interactionHeader, interactions);
    } else {
      const size = Math.ceil(interactions.length / layout.interactionParts);
      for (let part = 0; part < layout.interactionParts; part++) {
        const name = `interactions/part-${part + 1}.csv${layout.gzipParts ? '.gz' : ''}`;
        files[name] = csv(interactionHeader, interactions.slice(part * size, (part + 1) * size));
      }
    }
    return { files };
  });
