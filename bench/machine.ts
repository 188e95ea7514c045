/** The machine a benchmark ran on, printed with its results: numbers mean little without it. */
import { cpus, totalmem } from 'node:os';

export function describeMachine(): string {
  const processors = cpus();
  const model = processors[0]?.model.trim() ?? 'unknown CPU';
  const memory = (totalmem() / 2 ** 30).toFixed(1);
  return `${processors.length} × ${model}, ${memory} GiB memory, Node ${process.version} (${process.platform}/${process.arch})`;
}
