/**
 * The bytes reader's zod path: a row the byte path does not read (quotes, non-ASCII, spaces
 * to trim, an unusual date-time, anything invalid) is decoded and checked by the same zod
 * schema as the simple reader, which decides and words the reason. Rows that come here are
 * few; the byte path (chunk-reader.ts) reads the common shape.
 */
import { IN_QUARTER, SELF_SERVICE_OR_CESS } from '../../aggregate/partial-aggregate';
import { cessMicroPoints } from '../../client-state/quarter-activity';
import { encodeUtf8, hashBytes } from '../../collections/byte-hash';
import type { DayInZone } from '../../dates';
import { CsvTokenizer } from '../../export-set/csv-tokenizer';
import {
  clientReferenceReason,
  fieldCountReason,
  malformedReason,
  rejectionWeight,
} from '../../export-set/row-rules';
import {
  createRowSchemas,
  describeRowError,
  type RawRow,
  type RowSchemas,
} from '../../export-set/row-schemas';
import { inUseDuring } from '../../export-set/service-use';
import { CHUNK_COLUMNS, type DatasetPlan } from './chunk-plan';
import type { ChunkSink } from './chunk-sink';
import type { ClientTable } from './client-table';
import type { RecordScanner } from './record-scanner';

const decoder = new TextDecoder();

/** Reads rows through zod for one plan; shares the chunk reader's scanner and client table. */
export class DecodedRows {
  private readonly schemas: RowSchemas;
  private readonly rejectedClients: Set<string>;

  constructor(
    private readonly plan: DatasetPlan,
    private readonly scanner: RecordScanner,
    private readonly clients: ClientTable,
    toDay: DayInZone,
  ) {
    this.schemas = createRowSchemas(plan.config, toDay);
    this.rejectedClients = new Set(plan.rejectedClientIds);
  }

  /** The zod path for one row, as the simple reader does it. */
  readRow(row: RawRow, line: number, sink: ChunkSink): string | undefined {
    const period = this.plan.period;
    const inQuarter = (day: number) => day >= period.start && day <= period.end;
    switch (this.plan.dataset) {
      case 'interactions': {
        const parsed = this.schemas.interactions.safeParse(row);
        if (!parsed.success) return describeRowError(parsed.error);
        const { interaction_id, client_id, occurred_at, channel } = parsed.data;
        const client = this.clientOfText(client_id);
        if (typeof client === 'string') return client;
        sink.dated(occurred_at, inQuarter(occurred_at));
        const { bytes, length } = encodeUtf8(interaction_id);
        hashBytes(bytes, 0, length);
        const flags =
          (inQuarter(occurred_at) ? IN_QUARTER : 0) | (channel === 'self_service' ? SELF_SERVICE_OR_CESS : 0);
        sink.claim(client, flags, 0, line, bytes, 0, length);
        return undefined;
      }
      case 'services': {
        const parsed = this.schemas.services.safeParse(row);
        if (!parsed.success) return describeRowError(parsed.error);
        const { client_id, service, started_on, ended_on } = parsed.data;
        const client = this.clientOfText(client_id);
        if (typeof client === 'string') return client;
        const name = sink.serviceNameOfText(service);
        if (inUseDuring(period, started_on, ended_on)) {
          sink.serviceInUse(client, name);
        }
        return undefined;
      }
      case 'surveys': {
        const parsed = this.schemas.surveys.safeParse(row);
        if (!parsed.success) return describeRowError(parsed.error);
        const { response_id, client_id, submitted_at, survey, score, scale_max } = parsed.data;
        const client = this.clientOfText(client_id);
        if (typeof client === 'string') return client;
        sink.dated(submitted_at, inQuarter(submitted_at));
        const { bytes, length } = encodeUtf8(response_id);
        hashBytes(bytes, 0, length);
        const cess = survey === 'cess';
        const flags = (inQuarter(submitted_at) ? IN_QUARTER : 0) | (cess ? SELF_SERVICE_OR_CESS : 0);
        sink.claim(
          client,
          flags,
          cess ? cessMicroPoints(score, scale_max ?? 100) : score,
          line,
          bytes,
          0,
          length,
        );
        return undefined;
      }
      case 'support_costs': {
        const parsed = this.schemas.support_costs.safeParse(row);
        if (!parsed.success) return describeRowError(parsed.error);
        const { incurred_on, amount, client_id } = parsed.data;
        let client = -1;
        if (client_id !== undefined) {
          const found = this.clientOfText(client_id);
          if (typeof found === 'string') return found;
          client = found;
        }
        sink.dated(incurred_on, inQuarter(incurred_on));
        if (inQuarter(incurred_on)) sink.cost(client, amount);
        return undefined;
      }
    }
  }

  /** A record with quotes, tokenised as the simple reader does, then its row. */
  readTokenized(bytes: Uint8Array, line: number, sink: ChunkSink): void {
    const { scanner, plan } = this;
    let fields: string[] = [];
    let error: string | undefined;
    const tokenizer = new CsvTokenizer();
    const take = (record: { fields: string[]; error?: string }) => {
      fields = record.fields;
      error = record.error;
    };
    tokenizer.push(bytes.subarray(scanner.recordStart, scanner.recordEnd), take);
    tokenizer.finish(take);
    const weight = rejectionWeight(scanner.span);
    if (error !== undefined) {
      sink.reject(line, malformedReason(error), weight);
      return;
    }
    if (fields.length !== plan.headerLength) {
      sink.reject(line, fieldCountReason(fields.length, plan.headerLength), weight);
      return;
    }
    const row: RawRow = {};
    CHUNK_COLUMNS[plan.dataset].forEach((name, c) => {
      const index = plan.columns[c] as number;
      const value = index < 0 ? '' : (fields[index] as string).trim();
      row[name] = value === '' ? undefined : value;
    });
    const reason = this.readRow(row, line, sink);
    if (reason !== undefined) sink.reject(line, reason, weight);
  }

  /** The scanner's record as decoded, trimmed column texts. */
  rawRowFromScanner(bytes: Uint8Array): RawRow {
    const { starts, ends } = this.scanner;
    const row: RawRow = {};
    CHUNK_COLUMNS[this.plan.dataset].forEach((name, c) => {
      const index = this.plan.columns[c] as number;
      const value = index < 0 ? '' : decoder.decode(bytes.subarray(starts[index], ends[index])).trim();
      row[name] = value === '' ? undefined : value;
    });
    return row;
  }

  private clientOfText(id: string): number | string {
    const index = this.clients.lookupString(id);
    if (index >= 0) return index;
    return clientReferenceReason(id, this.rejectedClients.has(id));
  }
}
