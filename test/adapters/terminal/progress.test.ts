/** Progress lines: each dataset's time runs from the end of the one before, not from its own last report. */
import { describe, expect, it } from 'vitest';
import { createProgressReporter, shareRead } from '../../../src/adapters/terminal/progress';

/** A stream that records what is written; not a terminal unless told. */
function recordingStream(isTTY = false): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = {
    isTTY,
    write: (chunk: string) => chunks.push(chunk) > 0,
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

describe('createProgressReporter', () => {
  it('times a dataset reported only when done from the end of the dataset before', () => {
    // Arrange: a clock the test moves; clients takes 250 ms, interactions 1.5 s.
    let now = 1_000;
    const { stream, text } = recordingStream();
    const reporter = createProgressReporter(stream, { clock: () => now });

    // Act
    now += 250;
    reporter.onProgress({ dataset: 'clients', file: 'clients.csv', rows: 6, done: true });
    now += 1_500;
    reporter.onProgress({ dataset: 'interactions', file: 'interactions.csv', rows: 19, done: true });

    // Assert
    expect(text()).toBe('clients: 6 rows read in 250 ms\ninteractions: 19 rows read in 1.5 s\n');
  });

  it('leaves out the time before restart (a quarter’s other work)', () => {
    // Arrange
    let now = 0;
    const { stream, text } = recordingStream();
    const reporter = createProgressReporter(stream, { clock: () => now });
    now += 5_000;

    // Act
    reporter.restart();
    now += 40;
    reporter.onProgress({ dataset: 'clients', file: 'clients.csv', rows: 6, done: true, quarter: '2026-Q2' });

    // Assert
    expect(text()).toBe('2026-Q2 clients: 6 rows read in 40 ms\n');
  });
});

describe('the share of bytes read, on a terminal', () => {
  it('rewrites one line with the percentage of the quarter read and the time left at the pace so far', () => {
    // Arrange: 2 s in, 300 MB of 1.2 GB read: 25%, so 6 s left.
    let now = 0;
    const { stream, text } = recordingStream(true);
    const bytes = { quarter: '2026-Q3', read: 300e6, total: 1.2e9 };
    const reporter = createProgressReporter(stream, { clock: () => now, bytes: () => bytes });

    // Act
    now += 2_000;
    reporter.onProgress({ dataset: 'interactions', file: 'interactions.csv', rows: 250_000, done: false });

    // Assert
    expect(text()).toBe('\r\x1b[2Kinteractions: 250,000 rows, 125,000 rows/s, 25% of 1.2 GB, about 6 s left');
  });

  it.each([
    [{ quarter: 'q', read: 0, total: 0 }, 5, ''],
    [{ quarter: 'q', read: 500, total: 2_000 }, 0.5, ', 25% of 2.0 KB'],
    [{ quarter: 'q', read: 1e6, total: 100e6 }, 3, ', 1% of 100.0 MB, about 5 min left'],
    [{ quarter: 'q', read: 120, total: 100 }, 3, ', 100% of 100 bytes'],
  ])('shareRead(%j, %d s) is %j', (bytes, seconds, expected) => {
    expect(shareRead(bytes, seconds)).toBe(expected);
  });
});
