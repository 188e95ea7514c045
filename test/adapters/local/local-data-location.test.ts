/**
 * A local data root that cannot be used as it is fails with a `DataLocationError` naming
 * the path and the fix: a root that is a file or missing, a link out of the root or in a
 * loop, a `reports/` that is a file. Links within the root are followed.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../../src/adapters/local/local-export-store';
import { assertDataRoot, openExportStore } from '../../../src/adapters/open-export-store';
import { DataLocationError } from '../../../src/core/errors';
import { createDataRoot, removeDataRoots } from '../../support/export-fixtures';

afterEach(async () => {
  await removeDataRoots();
});

async function collect(store: LocalExportStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(prefix)) keys.push(object.key);
  return keys;
}

async function rootWithSet(): Promise<{ root: string; set: string }> {
  const root = await createDataRoot();
  const set = path.join(root, 'exports', '2026-Q3');
  await mkdir(set, { recursive: true });
  await writeFile(path.join(set, 'clients.csv'), 'client_id,customer_since\n');
  return { root, set };
}

describe('LocalExportStore', () => {
  it('refuses a link to a file outside the data root, when listing and when reading', async () => {
    // Arrange
    const { root, set } = await rootWithSet();
    const outside = path.join(await createDataRoot(), 'secret.csv');
    await writeFile(outside, 'password,hunter2\n');
    await symlink(outside, path.join(set, 'surveys.csv'));
    const store = new LocalExportStore(root);

    // Act
    const listing = () => collect(store, 'exports/2026-Q3/');
    const reading = () => store.readText('exports/2026-Q3/surveys.csv');

    // Assert
    const message = `${root}/exports/2026-Q3/surveys.csv is a link to ${outside}, outside the data root ${root}; links are followed only within it: copy the file into ${root}/exports/2026-Q3/ instead`;
    await expect(listing()).rejects.toThrow(new DataLocationError(message));
    await expect(reading()).rejects.toThrow(new DataLocationError(message));
  });

  it('follows a link to a file within the data root', async () => {
    // Arrange
    const { root, set } = await rootWithSet();
    await mkdir(path.join(root, 'uploads'));
    await writeFile(path.join(root, 'uploads', 'i.csv'), 'interaction_id\n');
    await symlink(path.join(root, 'uploads', 'i.csv'), path.join(set, 'interactions.csv'));
    const store = new LocalExportStore(root);

    // Act
    const keys = await collect(store, 'exports/');

    // Assert
    expect(keys).toEqual(['exports/2026-Q3/clients.csv', 'exports/2026-Q3/interactions.csv']);
    expect(await store.readText('exports/2026-Q3/interactions.csv')).toBe('interaction_id\n');
  });

  it('names a link that loops, and a link to a folder that holds it', async () => {
    // Arrange
    const { root, set } = await rootWithSet();
    await symlink('loop-b', path.join(set, 'loop-a'));
    await symlink('loop-a', path.join(set, 'loop-b'));
    const other = await rootWithSet();
    await symlink('.', path.join(other.set, 'self'));

    // Act
    const loop = () => collect(new LocalExportStore(root), 'exports/');
    const self = () => collect(new LocalExportStore(other.root), 'exports/');

    // Assert
    await expect(loop()).rejects.toThrow(
      new DataLocationError(
        `${root}/exports/2026-Q3/loop-a is a symbolic link that leads back to itself (ELOOP); remove it or point it at a file`,
      ),
    );
    await expect(self()).rejects.toThrow(
      new DataLocationError(
        `${other.root}/exports/2026-Q3/self is a link to ${other.set}, a folder that holds it, so the listing would never end; remove the link`,
      ),
    );
  });

  it('says a reports/ that is a file stands in the way of writing', async () => {
    // Arrange
    const { root } = await rootWithSet();
    await writeFile(path.join(root, 'reports'), 'not a folder');

    // Act
    const writing = new LocalExportStore(root).write(
      'reports/2026-Q3/validation.json',
      '{}',
      'application/json',
    );

    // Assert
    await expect(writing).rejects.toThrow(
      new DataLocationError(
        `cannot write ${root}/reports/2026-Q3/validation.json: a file stands where a folder is needed; move it out of the way`,
      ),
    );
  });
});

describe('assertDataRoot', () => {
  it('refuses a data location that is a file, or that does not exist', async () => {
    // Arrange
    const file = path.join(await createDataRoot(), 'kpi-report.json');
    await writeFile(file, '{}');
    const missing = path.join(await createDataRoot(), 'nowhere');

    // Act
    const onFile = async () => assertDataRoot(await openExportStore(file, {}));
    const onNothing = async () => assertDataRoot(await openExportStore(missing, {}));

    // Assert
    await expect(onFile()).rejects.toThrow(
      new DataLocationError(
        `the data location ${file} is a file, not a folder; give the folder that holds exports/ (--data)`,
      ),
    );
    await expect(onNothing()).rejects.toThrow(
      new DataLocationError(
        `the data location ${missing} does not exist; give the folder that holds exports/ (--data), or run 'npm run demo' to make one`,
      ),
    );
  });
});
