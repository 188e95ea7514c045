/** `npm run demo [-- --data DIR]`: the demo of run-demo.ts, into ./data by default. */
import { parseArgs } from 'node:util';
import { runDemo } from './run-demo';

const { values } = parseArgs({ options: { data: { type: 'string', default: './data' } } });
await runDemo({ root: values.data, print: (text) => process.stdout.write(text), progress: process.stderr });
