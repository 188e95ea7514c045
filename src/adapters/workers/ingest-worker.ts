/**
 * The worker thread of the fast reader: reads the chunks it is sent with the plan of their
 * dataset and posts back the partial aggregates, moving (not copying) their typed arrays.
 */
import { parentPort } from 'node:worker_threads';
import type { PartialAggregate } from '../../core/aggregate/partial-aggregate';
import { ChunkReader, type DatasetPlan } from '../../core/fast/chunk-reader';

export type WorkerRequest =
  | { readonly type: 'plan'; readonly planId: number; readonly plan: DatasetPlan }
  | {
      readonly type: 'chunk';
      readonly id: number;
      readonly planId: number;
      readonly chunk: Uint8Array;
      /** Claims of an earlier chunk, done with: their buffer is reused. */
      readonly spareClaims?: ArrayBuffer;
    };

const port = parentPort;
if (!port) throw new Error('ingest-worker must run as a worker thread');
const readers = new Map<number, ChunkReader>();

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'plan') {
    readers.set(request.planId, new ChunkReader(request.plan));
    return;
  }
  try {
    const reader = readers.get(request.planId);
    if (!reader) throw new Error(`no plan ${request.planId} for chunk ${request.id}`);
    const result = reader.read(request.chunk, request.spareClaims);
    // The chunk goes back too, so that its buffer makes a later chunk.
    port.postMessage({ id: request.id, result, chunk: request.chunk }, [
      ...transferables(result.partial),
      request.chunk.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    port.postMessage({ id: request.id, error: (error as Error).stack ?? String(error) });
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
