/**
 * Progress on stderr while exports are read: one line rewritten in place on a terminal,
 * one line per finished dataset otherwise (CI logs, pipes), so stdout stays the result.
 */
import type { ReadProgress } from '../core/ingest/read-dataset';

const count = new Intl.NumberFormat('en-US');

export function createProgressReporter(
  stream: NodeJS.WriteStream,
): (progress: ReadProgress & { quarter?: string }) => void {
  const started = Date.now();
  let datasetStarted = started;
  let lastDataset = '';
  return (progress) => {
    if (progress.dataset !== lastDataset) {
      lastDataset = progress.dataset;
      datasetStarted = Date.now();
    }
    const seconds = (Date.now() - datasetStarted) / 1000;
    const rate = seconds > 0.5 ? `, ${count.format(Math.round(progress.rows / seconds))} rows/s` : '';
    const where = progress.quarter ? `${progress.quarter} ` : '';
    const took = seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`;
    const text = `${where}${progress.dataset}: ${count.format(progress.rows)} rows${progress.done ? ` read in ${took}` : rate}`;
    if (stream.isTTY) {
      stream.write(`\r\x1b[2K${text}${progress.done ? '\n' : ''}`);
    } else if (progress.done) {
      stream.write(`${text}\n`);
    }
  };
}
