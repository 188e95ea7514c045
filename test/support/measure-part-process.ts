/**
 * `measurePart` in a process of its own, on a directory data root, for tests that kill it
 * mid-way as Lambda would end a timed-out or crashed invocation:
 *   node --import tsx test/support/measure-part-process.ts <root> <quarter> <runId> <key> <attempt>
 */
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { parseConfig } from '../../src/core/config';
import { measurePart } from '../../src/use-cases/measure-part';
import { shuffleIn } from '../../src/wiring/shuffle';

const [root, quarter, runId, key, attempt] = process.argv.slice(2);
if (
  root === undefined ||
  quarter === undefined ||
  runId === undefined ||
  key === undefined ||
  attempt === undefined
) {
  throw new Error('usage: measure-part-process.ts <root> <quarter> <runId> <key> <attempt>');
}
const store = new LocalExportStore(root);
await measurePart({
  store,
  config: parseConfig({ rejectLimitPercent: 100 }),
  shuffle: shuffleIn(store),
  task: { quarter, runId, key },
  attempt,
});
