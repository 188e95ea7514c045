/** Progress lines: each dataset's time runs from the end of the one before, not from its own last report. */
import { describe, expect, it } from 'vitest';
import { createProgressReporter } from '../../src/cli/progress';

/** A stream that is not a terminal and records what is written. */
function recordingStream(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = {
    isTTY: false,
    write: (chunk: string) => chunks.push(chunk) > 0,
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

describe('createProgressReporter', () => {
  it('times a dataset reported only when done from the end of the dataset before', () => {
    // Arrange: a clock the test moves; clients takes 250 ms, interactions 1.5 s.
    let now = 1_000;
    const { stream, text } = recordingStream();
    const reporter = createProgressReporter(stream, () => now);

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
    const reporter = createProgressReporter(stream, () => now);
    now += 5_000;

    // Act
    reporter.restart();
    now += 40;
    reporter.onProgress({ dataset: 'clients', file: 'clients.csv', rows: 6, done: true, quarter: '2026-Q2' });

    // Assert
    expect(text()).toBe('2026-Q2 clients: 6 rows read in 40 ms\n');
  });
});
