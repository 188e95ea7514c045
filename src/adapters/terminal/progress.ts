/**
 * Progress on stderr while exports are read: one line rewritten in place on a terminal,
 * one line per finished dataset otherwise (CI logs, pipes), so stdout stays the result.
 *
 * Both readers read the datasets one after another and report a dataset at least when it
 * is done (a small one only then), so a dataset's time runs from the end of the one before
 * (or from `restart`, called where a quarter's reading begins).
 *
 * On a terminal, with the quarter's bytes (the CLI's export-bytes.ts), the line also says how much of
 * the quarter is read and, after a second, about how long the rest will take at the pace so far.
 */
import type { ReadProgress } from '../../core/readers/export-set-reader';

/** A quarter's export bytes read so far and listed in all (as stored: compressed for `.gz`). */
export interface QuarterBytes {
  readonly quarter: string;
  readonly read: number;
  /** The bytes listed under the quarter's folder; every file there, read or not. */
  readonly total: number;
}

const count = new Intl.NumberFormat('en-US');

export interface ProgressReporter {
  readonly onProgress: (progress: ReadProgress & { quarter?: string }) => void;
  /** Starts the clock again: a quarter's reading begins (the time before is not a dataset's). */
  readonly restart: () => void;
}

export function createProgressReporter(
  stream: NodeJS.WriteStream,
  options: { clock?: () => number; bytes?: () => QuarterBytes | undefined } = {},
): ProgressReporter {
  const clock = options.clock ?? Date.now;
  let datasetStarted = clock();
  let quarterStarted = datasetStarted;
  return {
    restart: () => {
      datasetStarted = clock();
      quarterStarted = datasetStarted;
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
        const share = progress.done ? '' : shareRead(options.bytes?.(), (now - quarterStarted) / 1000);
        stream.write(`\r\x1b[2K${text}${share}${progress.done ? '\n' : ''}`);
      } else if (progress.done) {
        stream.write(`${text}\n`);
      }
    },
  };
}

/** `, 42% of 1.2 GB, about 12 s left`: the quarter's bytes read, and the rest at the pace so far. */
export function shareRead(bytes: QuarterBytes | undefined, seconds: number): string {
  if (bytes === undefined || bytes.total === 0) return '';
  const percent = Math.min(100, Math.floor((bytes.read / bytes.total) * 100));
  let text = `, ${percent}% of ${formatBytes(bytes.total)}`;
  if (seconds >= 1 && bytes.read > 0 && bytes.read < bytes.total) {
    const left = (seconds * (bytes.total - bytes.read)) / bytes.read;
    text += `, about ${left < 60 ? `${Math.ceil(left)} s` : `${Math.ceil(left / 60)} min`} left`;
  }
  return text;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
