/** Reads chunks on the calling thread: for one-core hosts and for tests of the fast path. */
import { ChunkReader, type DatasetPlan } from './chunk-reader';
import type { ChunkExecutor } from './read-export-set-fast';

export function inlineChunkExecutor(): ChunkExecutor {
  const readers = new WeakMap<DatasetPlan, ChunkReader>();
  return {
    parallelism: 1,
    read: async (plan, chunk, spareClaims) => {
      let reader = readers.get(plan);
      if (!reader) {
        reader = new ChunkReader(plan);
        readers.set(plan, reader);
      }
      return { ...reader.read(chunk, spareClaims), chunk };
    },
    close: async () => {},
  };
}
