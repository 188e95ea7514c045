/** The `kpi-report` executable. */
import { main } from './main';

const code = await main(process.argv.slice(2), process.env);
// Exit as soon as the output is out. Letting the event loop drain would also wait for V8's
// background compiles of the chart wasm's hot functions: about 0.4 s after the last line
// of a run, measured. Every piece of work main started has been awaited by now.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);

/** Resolves once everything written to the stream so far has been handed to the system. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
