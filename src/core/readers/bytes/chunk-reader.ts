/**
 * Reads one line-aligned chunk of a dataset (interactions, services, surveys or support
 * costs) into a partial aggregate (chunk-sink.ts). Rows of the common, well-formed shape are
 * read from bytes with no per-row object; any other row (quotes, non-ASCII, spaces to trim,
 * an unusual date-time, anything invalid) is decoded and goes through the same zod schema as
 * the simple reader (decoded-rows.ts), which decides and words the reason. Runs in worker
 * threads.
 *
 * One loop for every dataset, split in small methods: a loop of its own for plain
 * interactions chunks, with the field splitting and the byte path in one function, was
 * 40% slower (V8 inlined into it until its inlining budget ran out, and called the rest).
 */

import { isUtf8 } from 'node:buffer';
import { emptyPartial, IN_QUARTER, SELF_SERVICE_OR_CESS } from '../../aggregate/partial-aggregate';
import { cessMicroPoints } from '../../client-state/quarter-activity';
import { hashOut, hashPlainToken } from '../../collections/byte-hash';
import { type DayInZone, dayInZone } from '../../dates';
import { fieldCountReason, INVALID_UTF8_REASON, rejectionWeight } from '../../export-set/row-rules';
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
import type { ChunkResult, DatasetPlan } from './chunk-plan';
import { ChunkSink } from './chunk-sink';
import { ClientTable } from './client-table';
import { DecodedRows } from './decoded-rows';
import { RecordScanner } from './record-scanner';

const encoder = new TextEncoder();

/** Reads chunks of one dataset file; keep one per plan (it caches the schemas and tables). */
export class ChunkReader {
  private readonly scanner = new RecordScanner();
  private readonly clients: ClientTable;
  /** The zod path, for rows the byte path does not read. */
  private readonly decoded: DecodedRows;
  private readonly toDay: DayInZone;
  private readonly channels: { label: Label; selfService: boolean }[];
  private readonly labelsArePlain: boolean;
  /**
   * The client_id field last found, in the chunk being read (-1: none yet), and its index:
   * exports often hold a client's rows one after another, and comparing a few bytes with the
   * previous row's field is far cheaper than hashing the id and probing the client table.
   */
  private lastClientStart = -1;
  private lastClientEnd = -1;
  private lastClient = -1;

  constructor(readonly plan: DatasetPlan) {
    this.clients = new ClientTable(0, plan.clients);
    this.toDay = dayInZone(plan.config.timeZone);
    this.decoded = new DecodedRows(plan, this.scanner, this.clients, this.toDay);
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
    this.lastClientStart = -1;
    // One native pass: only a chunk with invalid UTF-8 somewhere has its records checked one by one.
    const validUtf8 = isUtf8(bytes);
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
      this.decoded.readTokenized(bytes, line, sink);
      return;
    }
    if (scanner.fieldCount !== plan.headerLength) {
      sink.reject(line, fieldCountReason(scanner.fieldCount, plan.headerLength), 1);
      return;
    }
    if (!this.readFast(bytes, line, sink)) {
      const reason = this.decoded.readRow(this.decoded.rawRowFromScanner(bytes), line, sink);
      if (reason !== undefined) sink.reject(line, reason, 1);
    }
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
      (inPeriod ? IN_QUARTER : 0) | (selfService ? SELF_SERVICE_OR_CESS : 0),
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
    const serviceStart = starts[service] as number;
    const serviceEnd = ends[service] as number;
    // A name seen a few rows ago is known plain: no plain test, no hash.
    let name = sink.recentServiceName(bytes, serviceStart, serviceEnd);
    if (name < 0 && !isPlainToken(bytes, serviceStart, serviceEnd)) return false;
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
    if (name < 0) name = sink.serviceName(bytes, serviceStart, serviceEnd);
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
      inQuarter | (cess ? SELF_SERVICE_OR_CESS : 0),
      cess ? cessMicroPoints(score, scale) : score,
      line,
      bytes,
      idStart,
      idEnd,
    );
    return true;
  }

  /** The client index of a plain client_id field, or -1 (then the zod path explains). */
  private clientOf(bytes: Uint8Array, column: number): number {
    const start = this.scanner.starts[column] as number;
    const end = this.scanner.ends[column] as number;
    const last = this.lastClientStart;
    if (
      last >= 0 &&
      end - start === this.lastClientEnd - last &&
      sameRange(bytes, last, start, end - start)
    ) {
      return this.lastClient;
    }
    let client: number;
    // Then the client after it in clients.csv: exports sorted by client usually follow that
    // order, and its id sits next to the last one in the table's arena (no probe, no miss).
    const next = this.lastClient + 1;
    if (this.clients.holdsAt(next, bytes, start, end) && isPlainToken(bytes, start, end)) {
      client = next;
    } else {
      if (!hashPlainToken(this.scanner.dataView, bytes, start, end)) return -1;
      client = this.clients.find(bytes, start, end, hashOut[1] as number);
    }
    if (client >= 0) {
      this.lastClientStart = start;
      this.lastClientEnd = end;
      this.lastClient = client;
    }
    return client;
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

/** Whether bytes[a, a + length) and bytes[b, b + length) are equal. */
function sameRange(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

const CESS_LABEL = encoder.encode('cess');
const NPS_LABEL = encoder.encode('nps');
