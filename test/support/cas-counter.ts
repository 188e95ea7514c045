/**
 * A child process for the conditional-replace tests: adds 1 to the counter at
 * `reports/counter.json` of the local data root in argv[2], argv[3] times, each time with
 * readVersioned + replaceIfUnchanged, retrying when another process got there first.
 * Lost updates would show as a final count short of the increments made.
 */
import { LocalExportStore } from '../../src/adapters/local/local-export-store';

const [root, times] = process.argv.slice(2);
const store = new LocalExportStore(root as string);
const key = 'reports/counter.json';
let retries = 0;
for (let done = 0; done < Number(times); ) {
  const current = await store.readVersioned(key);
  if (current === undefined) throw new Error('the counter is missing');
  const next = `${JSON.stringify({ count: (JSON.parse(current.text) as { count: number }).count + 1 })}\n`;
  if (await store.replaceIfUnchanged(key, next, 'application/json', current.version)) done += 1;
  else retries += 1;
}
process.stdout.write(`${retries}\n`);
