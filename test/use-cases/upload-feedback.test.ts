/**
 * Upload feedback, directly: the first upload's time, one notice per distinct set of
 * findings, the grace period for a dataset still missing, and the sweep's reasons for
 * leaving a quarter alone, against a local data root and the simple reader.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { parseConfig } from '../../src/core/config';
import type { ExportStore, OpsNotifier } from '../../src/core/ports';
import { readExportSet } from '../../src/core/readers/simple/read-export-set';
import {
  checkUploadedQuarter,
  MISSING_GRACE_MINUTES,
  recordFirstUpload,
  sweepStalledUploads,
  type UploadFeedbackDependencies,
  UploadSweepError,
  uploadNoticeKey,
} from '../../src/use-cases/upload-feedback';
import { cloneFixture, createDataRoot, removeDataRoots, writeExportSet } from '../support/export-fixtures';
import { MemoryExportStore } from '../support/memory-store';

afterEach(removeDataRoots);

const FIRST_UPLOAD = new Date('2026-10-02T08:00:00Z');
const minutesAfterUpload = (minutes: number) => new Date(FIRST_UPLOAD.getTime() + minutes * 60_000);

/** An ops topic that remembers what it was told. */
function recordingNotifier(): OpsNotifier & { readonly subjects: string[] } {
  const subjects: string[] = [];
  return {
    subjects,
    notify: async (subject) => {
      subjects.push(subject);
    },
  };
}

function feedback(store: ExportStore, notifier: OpsNotifier): UploadFeedbackDependencies {
  return { store, config: parseConfig({}), notifier, newReader: () => readExportSet };
}

/** A data root holding only 2026-Q3's clients.csv: two required datasets short. */
async function clientsOnly(): Promise<string> {
  const root = await createDataRoot();
  await writeExportSet(root, '2026-Q3', {
    'clients.csv': [
      ['client_id', 'customer_since'],
      ['C1', '2025-01-01'],
    ],
  });
  return root;
}

describe('recordFirstUpload', () => {
  it('keeps the time of the first upload it recorded, whatever later uploads say', async () => {
    // Arrange
    const store = new LocalExportStore(await createDataRoot());

    // Act
    const first = await recordFirstUpload(store, '2026-Q3', FIRST_UPLOAD);
    const later = await recordFirstUpload(store, '2026-Q3', minutesAfterUpload(30));

    // Assert
    expect(first).toEqual(FIRST_UPLOAD);
    expect(later).toEqual(FIRST_UPLOAD);
  });
});

describe('checkUploadedQuarter', () => {
  it('writes validation.json and tells operations once per distinct set of findings', async () => {
    // Arrange: the worked example rejects more rows than the default limit allows.
    const root = await cloneFixture('example');
    const store = new LocalExportStore(root);
    const notifier = recordingNotifier();
    const request = { quarter: '2026-Q3', firstUpload: FIRST_UPLOAD, now: minutesAfterUpload(1) };

    // Act
    const first = await checkUploadedQuarter(feedback(store, notifier), request);
    const repeat = await checkUploadedQuarter(feedback(store, notifier), request);

    // Assert
    expect(first).toEqual({ quarter: '2026-Q3', ok: false, incomplete: false, notified: true });
    expect(repeat.notified).toBe(false);
    expect(notifier.subjects).toEqual(['kpi-report: the 2026-Q3 exports need fixing']);
    const validation = JSON.parse(await readFile(path.join(root, 'reports/2026-Q3/validation.json'), 'utf8'));
    expect(validation).toMatchObject({ ok: false });
  });

  it('waits out the grace period before reporting a dataset still missing', async () => {
    // Arrange
    const store = new LocalExportStore(await clientsOnly());
    const notifier = recordingNotifier();
    const deps = feedback(store, notifier);

    // Act
    const early = await checkUploadedQuarter(deps, {
      quarter: '2026-Q3',
      firstUpload: FIRST_UPLOAD,
      now: minutesAfterUpload(MISSING_GRACE_MINUTES - 1),
    });
    const late = await checkUploadedQuarter(deps, {
      quarter: '2026-Q3',
      firstUpload: FIRST_UPLOAD,
      now: minutesAfterUpload(MISSING_GRACE_MINUTES),
    });

    // Assert
    expect(early).toMatchObject({ ok: false, incomplete: true, notified: false });
    expect(late).toMatchObject({ ok: false, incomplete: true, notified: true });
    expect(await store.readText(uploadNoticeKey('2026-Q3'))).toContain('interactions');
  });

  it('refuses a quarter label that is not one', async () => {
    // Arrange
    const store = new LocalExportStore(await createDataRoot());

    // Act
    const checking = checkUploadedQuarter(feedback(store, recordingNotifier()), {
      quarter: '2026-13',
      firstUpload: FIRST_UPLOAD,
      now: FIRST_UPLOAD,
    });

    // Assert
    await expect(checking).rejects.toThrow("'2026-13' is not a quarter like 2026-Q3");
  });
});

describe('sweepStalledUploads', () => {
  it('reports a stalled upload once, and says why it left every other quarter alone', async () => {
    // Arrange: 2026-Q3 has one dataset of three and a first upload; 2026-Q2 has no upload.
    const store = new LocalExportStore(await clientsOnly());
    const notifier = recordingNotifier();
    const deps = feedback(store, notifier);
    await recordFirstUpload(store, '2026-Q3', FIRST_UPLOAD);
    const quarters = ['2026-Q2', 'not-a-quarter', '2026-Q3'];

    // Act
    const withinGrace = await sweepStalledUploads(deps, { quarters, now: minutesAfterUpload(5) });
    const afterGrace = await sweepStalledUploads(deps, {
      quarters,
      now: minutesAfterUpload(MISSING_GRACE_MINUTES + 1),
    });
    const again = await sweepStalledUploads(deps, {
      quarters,
      now: minutesAfterUpload(MISSING_GRACE_MINUTES + 61),
    });

    // Assert
    expect(withinGrace).toEqual([
      { quarter: '2026-Q2', status: 'no-upload', notified: false },
      { quarter: '2026-Q3', status: 'within-grace', notified: false },
    ]);
    expect(afterGrace).toContainEqual({ quarter: '2026-Q3', status: 'checked', notified: true });
    expect(again).toContainEqual({ quarter: '2026-Q3', status: 'already-reported', notified: false });
    expect(notifier.subjects).toEqual(['kpi-report: the 2026-Q3 exports need fixing']);
  });

  it('skips a set found complete, and one whose other problems the upload reported at once', async () => {
    // Arrange
    const store = new LocalExportStore(await createDataRoot());
    await store.write('reports/2026-Q2/validation.json', '{"ok":true}', 'application/json');
    await store.write(
      'reports/2026-Q3/validation.json',
      '{"ok":false,"incomplete":false}',
      'application/json',
    );

    // Act
    const swept = await sweepStalledUploads(feedback(store, recordingNotifier()), {
      quarters: ['2026-Q2', '2026-Q3'],
      now: FIRST_UPLOAD,
    });

    // Assert
    expect(swept).toEqual([
      { quarter: '2026-Q2', status: 'complete', notified: false },
      { quarter: '2026-Q3', status: 'reported-on-upload', notified: false },
    ]);
  });

  it('still sweeps the other quarters when one cannot be checked, then fails naming it', async () => {
    // Arrange: reading 2026-Q2's validation.json fails.
    const store = new (class extends MemoryExportStore {
      override async readText(key: string): Promise<string | undefined> {
        if (key.startsWith('reports/2026-Q2/')) throw new Error('disk error');
        return super.readText(key);
      }
    })();
    store.put('reports/2026-Q3/validation.json', '{"ok":true}');
    const seen: string[] = [];
    async function* quarters() {
      for (const quarter of ['2026-Q2', '2026-Q3']) {
        seen.push(quarter);
        yield quarter;
      }
    }

    // Act
    const sweeping = sweepStalledUploads(feedback(store, recordingNotifier()), {
      quarters: quarters(),
      now: FIRST_UPLOAD,
    });

    // Assert
    await expect(sweeping).rejects.toThrow(UploadSweepError);
    await expect(
      sweepStalledUploads(feedback(store, recordingNotifier()), { quarters: ['2026-Q2'], now: FIRST_UPLOAD }),
    ).rejects.toThrow('the upload sweep could not check 2026-Q2');
    expect(seen).toEqual(['2026-Q2', '2026-Q3']);
  });
});
