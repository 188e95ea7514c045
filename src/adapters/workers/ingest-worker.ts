/**
 * The worker thread of the bytes reader: reads the chunks it is sent with the plan of their
 * file and posts back the partial aggregates (or parsed clients), moving (not copying)
 * their typed arrays, and the chunk itself for reuse.
 */
import { parentPort } from 'node:worker_threads';
import type { PartialAggregate } from '../../core/aggregate/partial-aggregate';
import type { ChunkResult, DatasetPlan } from '../../core/readers/bytes/chunk-plan';
import { ChunkReader } from '../../core/readers/bytes/chunk-reader';
import { ClientsChunkParser } from '../../core/readers/bytes/clients-reader';
import type { ClientsPlan, ParsedClients } from '../../core/readers/bytes/clients-rows';

export type WorkerRequest =
  | { readonly type: 'plan'; readonly planId: number; readonly plan: DatasetPlan | ClientsPlan }
  | {
      readonly type: 'chunk';
      readonly id: number;
      readonly planId: number;
      readonly chunk: Uint8Array;
      /** Claims (or parsed clients' rows) of an earlier chunk, done with: the buffer is reused. */
      readonly spare?: ArrayBuffer | undefined;
    };

export interface WorkerResponse {
  readonly id: number;
  readonly result?: ChunkResult | ParsedClients;
  readonly chunk?: Uint8Array;
  readonly error?: string;
}

const port = parentPort;
if (!port) throw new Error('ingest-worker must run as a worker thread');
const readers = new Map<number, ChunkReader | ClientsChunkParser>();

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'plan') {
    const { plan } = request;
    readers.set(
      request.planId,
      plan.dataset === 'clients' ? new ClientsChunkParser(plan) : new ChunkReader(plan),
    );
    return;
  }
  try {
    const reader = readers.get(request.planId);
    if (!reader) throw new Error(`no plan ${request.planId} for chunk ${request.id}`);
    const chunkBuffer = request.chunk.buffer as ArrayBuffer;
    // The chunk goes back too: its buffer makes a later chunk (and clients' ids point into it).
    if (reader instanceof ClientsChunkParser) {
      const result = reader.read(request.chunk, request.spare);
      port.postMessage({ id: request.id, result, chunk: request.chunk } satisfies WorkerResponse, [
        result.rows.buffer as ArrayBuffer,
        chunkBuffer,
      ]);
    } else {
      const result = reader.read(request.chunk, request.spare);
      port.postMessage({ id: request.id, result, chunk: request.chunk } satisfies WorkerResponse, [
        ...transferables(result.partial),
        chunkBuffer,
      ]);
    }
  } catch (error) {
    port.postMessage({
      id: request.id,
      error: (error as Error).stack ?? String(error),
    } satisfies WorkerResponse);
  }
});

function transferables(partial: PartialAggregate): ArrayBuffer[] {
  const views: ArrayBufferView[] = [];
  if (partial.claims) {
    const c = partial.claims;
    views.push(c.hashHigh, c.hashLow, c.client, c.flags, c.value, c.position, c.idStart, c.idEnd, c.idBytes);
  }
  if (partial.servicePairs) views.push(partial.servicePairs.client, partial.servicePairs.service);
  if (partial.costs) views.push(partial.costs.client);
  // Claims columns share one buffer: list each buffer once.
  return [...new Set(views.map((view) => view.buffer as ArrayBuffer))];
}
