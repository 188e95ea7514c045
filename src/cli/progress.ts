/**
 * Progress on stderr while exports are read: one line rewritten in place on a terminal,
 * one line per finished dataset otherwise (CI logs, pipes), so stdout stays the result.
 *
 * Both readers read the datasets one after another and report a dataset at least when it
 * is done (a small one only then), so a dataset's time runs from the end of the one before
 * (or from `restart`, called where a quarter's reading begins).
 */
import type { ReadProgress } from '../core/ingest/read-dataset';

const count = new Intl.NumberFormat('en-US');

export interface ProgressReporter {
  readonly onProgress: (progress: ReadProgress & { quarter?: string }) => void;
  /** Starts the clock again: a quarter's reading begins (the time before is not a dataset's). */
  readonly restart: () => void;
}

export function createProgressReporter(
  stream: NodeJS.WriteStream,
  clock: () => number = Date.now,
): ProgressReporter {
  let datasetStarted = clock();
  return {
    restart: () => {
      datasetStarted = clock();
    },
    onProgress: (progress) => {
      const now = clock();
      const seconds = (now - datasetStarted) / 1000;
      const rate = seconds > 0.5 ? `, ${count.format(Math.round(progress.rows / seconds))} rows/s` : '';
      const where = progress.quarter ? `${progress.quarter} ` : '';
      const took = seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`;
      const text = `${where}${progress.dataset}: ${count.format(progress.rows)} rows${progress.done ? ` read in ${took}` : rate}`;
      if (progress.done) datasetStarted = now;
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${text}${progress.done ? '\n' : ''}`);
      } else if (progress.done) {
        stream.write(`${text}\n`);
      }
    },
  };
}
