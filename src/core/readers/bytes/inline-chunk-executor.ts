/** Reads chunks on the calling thread: for one-core hosts and for tests of the bytes reader. */

import type { ChunkExecutor } from './chunk-executor';
import type { DatasetPlan } from './chunk-plan';
import { ChunkReader } from './chunk-reader';
import { ClientsChunkParser } from './clients-reader';
import type { ClientsPlan } from './clients-rows';

export function inlineChunkExecutor(): ChunkExecutor {
  const readers = new WeakMap<DatasetPlan, ChunkReader>();
  const parsers = new WeakMap<ClientsPlan, ClientsChunkParser>();
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
    parseClients: async (plan, chunk, spareRows) => {
      let parser = parsers.get(plan);
      if (!parser) {
        parser = new ClientsChunkParser(plan);
        parsers.set(plan, parser);
      }
      return { parsed: parser.read(chunk, spareRows), chunk };
    },
    close: async () => {},
  };
}
