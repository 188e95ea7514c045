/**
 * Reads one line-aligned chunk of a dataset (interactions, services, surveys or support
 * costs) into a partial aggregate. Rows of the common, well-formed shape are read from
 * bytes with no per-row object; any other row (quotes, non-ASCII, spaces to trim, an
 * unusual date-time, anything invalid) is decoded and goes through the same zod schema as
 * the simple reader, which decides and words the reason. Runs in worker threads.
 */

import { isUtf8 } from 'node:buffer';
import {
  CESS,
  ClaimsBuilder,
  CostsBuilder,
  emptyPartial,
  IN_QUARTER,
  MAX_EXAMPLES,
  PairsBuilder,
  type PartialAggregate,
  position,
  SELF_SERVICE,
} from '../../aggregate/partial-aggregate';
import { cessMicroPoints } from '../../client-state/quarter-activity';
import { AsciiInterner } from '../../collections/ascii-interner';
import { encodeUtf8, hashBytes, hashOut, hashPlainToken } from '../../collections/byte-hash';
import type { Config } from '../../config';
import { type DayInZone, dayInZone } from '../../dates';
import type { DatasetName } from '../../export-set/contract';
import { CsvTokenizer } from '../../export-set/csv-tokenizer';
import { addDatedRow, emptyDatedRows } from '../../export-set/dated-rows';
import {
  clientReferenceReason,
  fieldCountReason,
  INVALID_UTF8_REASON,
  malformedReason,
  type RecordFault,
  rejectionWeight,
} from '../../export-set/row-rules';
import {
  createRowSchemas,
  describeRowError,
  type RawRow,
  type RowSchemas,
} from '../../export-set/row-schemas';
import { inUseDuring } from '../../export-set/service-use';
import {
  equalsIgnoringAsciiCase,
  equalsLabel,
  isPlainToken,
  type Label,
  labelOf,
  parseDateBytes,
  parseEventDayBytes,
  parseSmallIntegerBytes,
} from './byte-fields';
import { ClientTable, type ClientTableBuffers } from './client-table';
import { nextDelimiter, RecordScanner } from './record-scanner';

/** The columns each dataset's rows are read by, in this order (as the simple reader). */
export const CHUNK_COLUMNS = {
  interactions: ['interaction_id', 'client_id', 'occurred_at', 'channel'],
  services: ['client_id', 'service', 'started_on', 'ended_on'],
  surveys: ['response_id', 'client_id', 'submitted_at', 'survey', 'score', 'scale_max'],
  support_costs: ['incurred_on', 'amount', 'client_id'],
} as const satisfies Partial<Record<DatasetName, readonly string[]>>;

export type ChunkedDataset = keyof typeof CHUNK_COLUMNS;

/** Everything a worker needs to read chunks of one dataset; structured-clone friendly. */
export interface DatasetPlan {
  readonly dataset: ChunkedDataset;
  readonly fileIndex: number;
  readonly headerLength: number;
  /** Header index of each of CHUNK_COLUMNS[dataset], or -1 when absent. */
  readonly columns: readonly number[];
  readonly period: { readonly start: number; readonly end: number };
  readonly config: Pick<Config, 'channelLabels' | 'timeZone' | 'maxRowBytes'>;
  readonly clients: ClientTableBuffers;
  readonly rejectedClientIds: readonly string[];
}

/** A partial aggregate of one chunk, with positions relative to the chunk's first line. */
export interface ChunkResult {
  readonly partial: PartialAggregate;
  /** Lines in the chunk, so that the next chunk's lines can be numbered. */
  readonly lines: number;
  /** A record that stops the file (row-rules.ts), with its line; the chunk was read up to it. */
  readonly fault?: ChunkFault;
}

/** A record that cannot be read on, at a line relative to its chunk's first line. */
export interface ChunkFault {
  readonly line: number;
  readonly fault: RecordFault;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Reads chunks of one dataset file; keep one per plan (it caches the schemas and tables). */
export class ChunkReader {
  private readonly scanner = new RecordScanner();
  private readonly clients: ClientTable;
  private readonly rejectedClients: Set<string>;
  private readonly schemas: RowSchemas;
  private readonly toDay: DayInZone;
  private readonly channels: { label: Label; selfService: boolean }[];
  private readonly labelsArePlain: boolean;

  constructor(readonly plan: DatasetPlan) {
    this.clients = new ClientTable(0, plan.clients);
    this.rejectedClients = new Set(plan.rejectedClientIds);
    this.toDay = dayInZone(plan.config.timeZone);
    this.schemas = createRowSchemas(plan.config, this.toDay);
    const labels = { ...plan.config.channelLabels, self_service: 'self_service', assisted: 'assisted' };
    this.channels = Object.entries(labels).map(([label, channel]) => ({
      label: labelOf(label),
      selfService: channel === 'self_service',
    }));
    this.labelsArePlain = this.channels.every(({ label }) =>
      isPlainToken(label.bytes, 0, label.bytes.length),
    );
  }

  /** `spareClaims`: the buffer of an earlier chunk's claims, done with, to reuse. */
  read(bytes: Uint8Array, spareClaims?: ArrayBuffer): ChunkResult {
    const { plan, scanner } = this;
    const partial = emptyPartial(plan.dataset);
    const sink = new ChunkSink(
      plan.dataset,
      partial,
      plan.fileIndex,
      Math.ceil(bytes.length / 44),
      spareClaims,
    );
    scanner.reset(bytes, 0, bytes.length);
    // One native pass: only a chunk with invalid UTF-8 somewhere has its records checked one by one.
    const validUtf8 = isUtf8(bytes);
    if (plan.dataset === 'interactions' && scanner.isPlain && validUtf8) {
      const read = this.readPlainInteractions(bytes, sink, partial);
      sink.finish();
      return read;
    }
    const maxRowBytes = plan.config.maxRowBytes;
    while (scanner.next()) {
      const fault = scanner.fault(maxRowBytes);
      if (fault !== undefined) {
        sink.finish();
        return { partial, lines: scanner.lines, fault: { line: scanner.line, fault } };
      }
      partial.rows++;
      if (!validUtf8 && !isUtf8(bytes.subarray(scanner.recordStart, scanner.recordEnd))) {
        sink.reject(scanner.line, INVALID_UTF8_REASON, rejectionWeight(scanner.span));
        continue;
      }
      this.readRecord(bytes, scanner.line, sink);
    }
    sink.finish();
    return { partial, lines: scanner.lines };
  }

  /** The record the scanner is on, by whichever path it needs. */
  private readRecord(bytes: Uint8Array, line: number, sink: ChunkSink): void {
    const { plan, scanner } = this;
    if (scanner.quoted) {
      this.readTokenized(bytes, line, sink);
      return;
    }
    if (scanner.fieldCount !== plan.headerLength) {
      sink.reject(line, fieldCountReason(scanner.fieldCount, plan.headerLength), 1);
      return;
    }
    if (!this.readFast(bytes, line, sink)) {
      const reason = this.readRow(this.rawRowFromScanner(bytes), line, sink);
      if (reason !== undefined) sink.reject(line, reason, 1);
    }
  }

  /**
   * The hottest loop there is: the interactions rows of a chunk without quotes or CRs (so
   * records end at LF and fields at commas), split a word at a time straight into the
   * scanner's field arrays and read by the byte path, with no per-record scanner call. A
   * row of any other shape goes, alone, through the scanner and the general path.
   * Returns the lines read (and a row too long, if one is).
   */
  private readPlainInteractions(bytes: Uint8Array, sink: ChunkSink, partial: PartialAggregate): ChunkResult {
    const scanner = this.scanner;
    const view = scanner.dataView;
    const fields = this.plan.headerLength;
    const maxRowBytes = this.plan.config.maxRowBytes;
    const end = bytes.length;
    const lastWord = end - 4;
    let position = 0;
    let line = 0;
    while (position < end) {
      if (bytes[position] === LF) {
        // An empty line: counted, not a row.
        position++;
        line++;
        continue;
      }
      partial.rows++;
      const recordStart = position;
      // Read per record: the general path may have grown the scanner's arrays.
      const { starts, ends } = scanner;
      const capacity = Math.min(starts.length, fields);
      let count = 0;
      let at = position;
      for (;;) {
        const fieldStart = at;
        at = nextDelimiter(view, bytes, at, end, lastWord);
        if (count < capacity) {
          starts[count] = fieldStart;
          ends[count] = at;
        }
        count++;
        if (at < end && bytes[at] === COMMA) {
          at++;
          continue;
        }
        break;
      }
      if (at - recordStart > maxRowBytes) {
        partial.rows--;
        return { partial, lines: line, fault: { line, fault: 'row-too-long' } };
      }
      if (count !== fields || !this.readInteraction(bytes, line, sink)) {
        // The general path, for this record alone (the scanner is reset to it).
        scanner.reset(bytes, recordStart, at);
        if (scanner.next()) this.readRecord(bytes, line, sink);
      }
      if (at < end) line++;
      position = at < end ? at + 1 : end;
    }
    return { partial, lines: line };
  }

  /**
   * The byte path: true when the row was read, false to send it to the zod path. One small
   * method per dataset, so that the optimising compiler can inline the field readers.
   */
  private readFast(bytes: Uint8Array, line: number, sink: ChunkSink): boolean {
    switch (this.plan.dataset) {
      case 'interactions':
        return this.readInteraction(bytes, line, sink);
      case 'services':
        return this.readService(bytes, sink);
      case 'surveys':
        return this.readSurvey(bytes, line, sink);
      default:
        // Support costs are few rows: the zod path reads them all.
        return false;
    }
  }

  /** An interactions row from bytes. */
  private readInteraction(bytes: Uint8Array, line: number, sink: ChunkSink): boolean {
    const { starts, ends } = this.scanner;
    const column = this.plan.columns;
    const period = this.plan.period;
    const clientIndex = this.clientOf(bytes, column[1] as number);
    if (clientIndex < 0) return false;
    const at = column[2] as number;
    const day = parseEventDayBytes(bytes, starts[at] as number, ends[at] as number, this.toDay);
    if (Number.isNaN(day)) return false;
    const selfService = this.channelOf(bytes, column[3] as number);
    if (selfService === undefined) return false;
    const id = column[0] as number;
    const idStart = starts[id] as number;
    const idEnd = ends[id] as number;
    // Last: the id's hash stays in hashOut for the claim.
    if (!hashPlainToken(this.scanner.dataView, bytes, idStart, idEnd)) return false;
    const inPeriod = day >= period.start && day <= period.end;
    sink.dated(day, inPeriod);
    sink.claim(
      clientIndex,
      (inPeriod ? IN_QUARTER : 0) | (selfService ? SELF_SERVICE : 0),
      0,
      line,
      bytes,
      idStart,
      idEnd,
    );
    return true;
  }

  /** A services row from bytes. */
  private readService(bytes: Uint8Array, sink: ChunkSink): boolean {
    const { starts, ends } = this.scanner;
    const column = this.plan.columns;
    const period = this.plan.period;
    const clientIndex = this.clientOf(bytes, column[0] as number);
    if (clientIndex < 0) return false;
    const service = column[1] as number;
    if (!isPlainToken(bytes, starts[service] as number, ends[service] as number)) return false;
    const started = parseDateBytes(
      bytes,
      starts[column[2] as number] as number,
      ends[column[2] as number] as number,
    );
    if (Number.isNaN(started)) return false;
    const endedColumn = column[3] as number;
    let ended = Number.POSITIVE_INFINITY;
    if (endedColumn >= 0 && ends[endedColumn] !== starts[endedColumn]) {
      ended = parseDateBytes(bytes, starts[endedColumn] as number, ends[endedColumn] as number);
      if (!(ended > started)) return false;
    }
    const name = sink.serviceName(bytes, starts[service] as number, ends[service] as number);
    if (inUseDuring(period, started, ended)) sink.serviceInUse(clientIndex, name);
    return true;
  }

  /** A surveys row from bytes. */
  private readSurvey(bytes: Uint8Array, line: number, sink: ChunkSink): boolean {
    const { starts, ends } = this.scanner;
    const column = this.plan.columns;
    const period = this.plan.period;
    const clientIndex = this.clientOf(bytes, column[1] as number);
    if (clientIndex < 0) return false;
    const day = parseEventDayBytes(
      bytes,
      starts[column[2] as number] as number,
      ends[column[2] as number] as number,
      this.toDay,
    );
    if (Number.isNaN(day)) return false;
    const kindAt = column[3] as number;
    const cess = equalsIgnoringAsciiCase(bytes, starts[kindAt] as number, ends[kindAt] as number, CESS_LABEL);
    if (
      !cess &&
      !equalsIgnoringAsciiCase(bytes, starts[kindAt] as number, ends[kindAt] as number, NPS_LABEL)
    ) {
      return false;
    }
    const score = parseSmallIntegerBytes(
      bytes,
      starts[column[4] as number] as number,
      ends[column[4] as number] as number,
    );
    const scaleColumn = column[5] as number;
    const scaleEmpty = scaleColumn < 0 || starts[scaleColumn] === ends[scaleColumn];
    const scale = scaleEmpty
      ? cess
        ? 100
        : 10
      : parseSmallIntegerBytes(bytes, starts[scaleColumn] as number, ends[scaleColumn] as number);
    if (!(score >= 0 && score <= scale) || (cess ? !(scale > 0) : scale !== 10)) return false;
    const id = column[0] as number;
    const idStart = starts[id] as number;
    const idEnd = ends[id] as number;
    // Last, as for interactions: the id's hash stays in hashOut for the claim.
    if (!hashPlainToken(this.scanner.dataView, bytes, idStart, idEnd)) return false;
    const inQuarter = day >= period.start && day <= period.end ? IN_QUARTER : 0;
    sink.dated(day, inQuarter !== 0);
    sink.claim(
      clientIndex,
      inQuarter | (cess ? CESS : 0),
      cess ? cessMicroPoints(score, scale) : score,
      line,
      bytes,
      idStart,
      idEnd,
    );
    return true;
  }

  /** The zod path for one row, as the simple reader does it. */
  private readRow(row: RawRow, line: number, sink: ChunkSink): string | undefined {
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
          (inQuarter(occurred_at) ? IN_QUARTER : 0) | (channel === 'self_service' ? SELF_SERVICE : 0);
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
        const flags = (inQuarter(submitted_at) ? IN_QUARTER : 0) | (cess ? CESS : 0);
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

  private readTokenized(bytes: Uint8Array, line: number, sink: ChunkSink): void {
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

  private rawRowFromScanner(bytes: Uint8Array): RawRow {
    const { starts, ends } = this.scanner;
    const row: RawRow = {};
    CHUNK_COLUMNS[this.plan.dataset].forEach((name, c) => {
      const index = this.plan.columns[c] as number;
      const value = index < 0 ? '' : decoder.decode(bytes.subarray(starts[index], ends[index])).trim();
      row[name] = value === '' ? undefined : value;
    });
    return row;
  }

  /** The client index of a plain client_id field, or -1 (then the zod path explains). */
  private clientOf(bytes: Uint8Array, column: number): number {
    const start = this.scanner.starts[column] as number;
    const end = this.scanner.ends[column] as number;
    if (!hashPlainToken(this.scanner.dataView, bytes, start, end)) return -1;
    return this.clients.find(bytes, start, end, hashOut[1] as number);
  }

  private clientOfText(id: string): number | string {
    const index = this.clients.lookupString(id);
    if (index >= 0) return index;
    return clientReferenceReason(id, this.rejectedClients.has(id));
  }

  /** true for self-service, false for assisted, undefined when not a plain known label. */
  private channelOf(bytes: Uint8Array, column: number): boolean | undefined {
    const start = this.scanner.starts[column] as number;
    const end = this.scanner.ends[column] as number;
    // A field equal to a plain label is itself plain: the test is only needed for other labels.
    if (!this.labelsArePlain && !isPlainToken(bytes, start, end)) return undefined;
    const channels = this.channels;
    const view = this.scanner.dataView;
    for (let c = 0; c < channels.length; c++) {
      const channel = channels[c] as (typeof channels)[number];
      if (equalsLabel(view, bytes, start, end, channel.label)) return channel.selfService;
    }
    return undefined;
  }
}

const COMMA = 44;
const LF = 10;
const CESS_LABEL = encoder.encode('cess');
const NPS_LABEL = encoder.encode('nps');

/** Collects one chunk's rows into its partial aggregate. */
class ChunkSink {
  private readonly claims: ClaimsBuilder | undefined;
  private readonly pairs: PairsBuilder | undefined;
  private readonly costs: CostsBuilder | undefined;
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private readonly interner = new AsciiInterner();

  constructor(
    dataset: ChunkedDataset,
    private readonly partial: PartialAggregate,
    private readonly fileIndex: number,
    /** Rows the chunk probably holds, so that the columns are allocated once. */
    expectedRows: number,
    spareClaims: ArrayBuffer | undefined,
  ) {
    if (dataset === 'interactions' || dataset === 'surveys') {
      this.claims = new ClaimsBuilder(expectedRows, spareClaims);
    }
    if (dataset === 'services') this.pairs = new PairsBuilder(expectedRows, this.names);
    if (dataset === 'support_costs') this.costs = new CostsBuilder();
  }

  /** Rejects the row at `line`, weighing `weight` rows (the lines it spans; row-rules.ts). */
  reject(line: number, reason: string, weight: number): void {
    // The row was counted once already.
    this.partial.rows += weight - 1;
    this.partial.rejected += weight;
    if (this.partial.examples.length < MAX_EXAMPLES) {
      this.partial.examples.push({ position: position(this.fileIndex, line), reason });
    }
  }

  /** A row claiming the id whose hash is in `hashOut`. */
  claim(
    client: number,
    flags: number,
    value: number,
    line: number,
    id: Uint8Array,
    idStart: number,
    idEnd: number,
  ): void {
    (this.claims as ClaimsBuilder).add(
      hashOut[0] as number,
      hashOut[1] as number,
      client,
      flags,
      value,
      position(this.fileIndex, line),
      id,
      idStart,
      idEnd,
    );
  }

  serviceName(bytes: Uint8Array, start: number, end: number): number {
    return this.serviceNameOfText(this.interner.text(bytes, start, end));
  }

  serviceNameOfText(name: string): number {
    let index = this.nameIndex.get(name);
    if (index === undefined) {
      index = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, index);
    }
    return index;
  }

  serviceInUse(client: number, service: number): void {
    (this.pairs as PairsBuilder).add(client, service);
  }

  cost(client: number, nanos: bigint): void {
    (this.costs as CostsBuilder).add(client, nanos);
  }

  /** A row of an event dataset that passed its own checks, dated `day`. */
  dated(day: number, inPeriod: boolean): void {
    this.partial.dated ??= emptyDatedRows();
    addDatedRow(this.partial.dated, day, inPeriod);
  }

  finish(): void {
    if (this.claims) this.partial.claims = this.claims.finish();
    if (this.pairs) this.partial.servicePairs = this.pairs.finish();
    if (this.costs) this.partial.costs = this.costs.finish();
  }
}
