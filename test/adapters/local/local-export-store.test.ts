import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../../src/adapters/local/local-export-store';
import { ObjectNotFoundError, type StoredObject } from '../../../src/core/ports';

let root: string;

async function put(key: string, content: string | Uint8Array): Promise<void> {
  const file = path.join(root, ...key.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}

const keysOf = (objects: readonly StoredObject[]) => objects.map((object) => object.key);

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'local-export-store-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('LocalExportStore', () => {
  it('reports the directory exactly as given as its location', () => {
    // Arrange
    const store = new LocalExportStore('./data');

    // Act
    const { location } = store;

    // Assert
    expect(location).toBe('./data');
  });

  describe('list', () => {
    it('yields every file under the prefix recursively, in key order, with size and fingerprint', async () => {
      // Arrange
      await put('exports/2026-Q3/interactions/part-002.csv.gz', 'bb');
      await put('exports/2026-Q3/interactions/part-001.csv.gz', 'a');
      await put('exports/2026-Q3/interactions-notes.csv', 'ccc');
      await put('exports/2026-Q3/clients.csv', 'dddd');
      await put('exports/2026-Q2/clients.csv', 'old');
      await put('reports/2026-Q3/kpis.json', '{}');
      const store = new LocalExportStore(root);

      // Act
      const objects = await collect(store.list('exports/2026-Q3/'));

      // Assert: '-' sorts before '/', as S3 orders keys.
      expect(keysOf(objects)).toEqual([
        'exports/2026-Q3/clients.csv',
        'exports/2026-Q3/interactions-notes.csv',
        'exports/2026-Q3/interactions/part-001.csv.gz',
        'exports/2026-Q3/interactions/part-002.csv.gz',
      ]);
      expect(objects.map((object) => object.size)).toEqual([4, 3, 1, 2]);
      for (const object of objects) expect(object.etag).toMatch(new RegExp(`^${object.size}-\\d`));
    });

    it('matches a prefix ending inside a name by plain string prefix, as S3 does', async () => {
      // Arrange
      await put('exports/2026-Q3/clients.csv', 'x');
      await put('exports/2026-Q3/interactions-notes.csv', 'x');
      await put('exports/2026-Q3/interactions/part-001.csv.gz', 'x');
      const store = new LocalExportStore(root);

      // Act
      const objects = await collect(store.list('exports/2026-Q3/inter'));

      // Assert
      expect(keysOf(objects)).toEqual([
        'exports/2026-Q3/interactions-notes.csv',
        'exports/2026-Q3/interactions/part-001.csv.gz',
      ]);
    });

    it('lists the whole root for an empty prefix', async () => {
      // Arrange
      await put('reports/2026-Q3/kpis.json', '{}');
      await put('exports/2026-Q3/clients.csv', 'x');
      const store = new LocalExportStore(root);

      // Act
      const objects = await collect(store.list(''));

      // Assert
      expect(keysOf(objects)).toEqual(['exports/2026-Q3/clients.csv', 'reports/2026-Q3/kpis.json']);
    });

    it('yields nothing when the prefix directory or the root itself does not exist', async () => {
      // Arrange
      await put('exports/2026-Q3/clients.csv', 'x');
      const store = new LocalExportStore(root);
      const missingRoot = new LocalExportStore(path.join(root, 'nowhere'));

      // Act
      const underMissingPrefix = await collect(store.list('exports/2099-Q1/'));
      const underMissingRoot = await collect(missingRoot.list('exports/'));

      // Assert
      expect(underMissingPrefix).toEqual([]);
      expect(underMissingRoot).toEqual([]);
    });
  });

  describe('read', () => {
    it('streams a large file in several chunks that add up to its bytes', async () => {
      // Arrange
      const content = randomBytes(3 * 1024 * 1024);
      await put('exports/2026-Q3/interactions/part-001.csv.gz', content);
      const store = new LocalExportStore(root);

      // Act
      const chunks = await collect(store.read('exports/2026-Q3/interactions/part-001.csv.gz'));

      // Assert
      expect(chunks.length).toBeGreaterThan(1);
      expect(Math.max(...chunks.map((chunk) => chunk.byteLength))).toBeLessThan(content.byteLength);
      expect(Buffer.concat(chunks).equals(content)).toBe(true);
    });

    it('rejects with ObjectNotFoundError naming the key when the file does not exist', async () => {
      // Arrange
      const store = new LocalExportStore(root);

      // Act
      const reading = collect(store.read('exports/2026-Q3/clients.csv'));

      // Assert
      await expect(reading).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(reading).rejects.toMatchObject({ key: 'exports/2026-Q3/clients.csv' });
    });

    it('rejects with ObjectNotFoundError when the key names a directory', async () => {
      // Arrange
      await put('exports/2026-Q3/interactions/part-001.csv.gz', 'x');
      const store = new LocalExportStore(root);

      // Act
      const reading = collect(store.read('exports/2026-Q3/interactions'));

      // Assert
      await expect(reading).rejects.toBeInstanceOf(ObjectNotFoundError);
    });
  });

  describe('readTransient', () => {
    it('streams the same bytes through two buffers reused in turn, each chunk copied before the next', async () => {
      // Arrange
      const content = randomBytes(5 * 1024 * 1024 + 17);
      await put('exports/2026-Q3/interactions.csv', content);
      const store = new LocalExportStore(root);

      // Act
      const copies: Buffer[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for await (const chunk of store.readTransient('exports/2026-Q3/interactions.csv')) {
        copies.push(Buffer.from(chunk));
        buffers.add(chunk.buffer);
      }

      // Assert
      expect(copies.length).toBeGreaterThan(2);
      expect(buffers.size).toBe(2);
      expect(Buffer.concat(copies).equals(content)).toBe(true);
    });

    it('lets the read-ahead finish and closes the file when the reader stops after one chunk', async () => {
      // Arrange
      const content = randomBytes(3 * 1024 * 1024);
      await put('exports/2026-Q3/interactions.csv', content);
      const store = new LocalExportStore(root);

      // Act
      let first: Buffer | undefined;
      for await (const chunk of store.readTransient('exports/2026-Q3/interactions.csv')) {
        first = Buffer.from(chunk);
        break;
      }
      const again: Buffer[] = [];
      for await (const chunk of store.readTransient('exports/2026-Q3/interactions.csv'))
        again.push(Buffer.from(chunk));

      // Assert
      expect(first?.equals(content.subarray(0, first.length))).toBe(true);
      expect(Buffer.concat(again).equals(content)).toBe(true);
    });

    it('rejects with ObjectNotFoundError naming the key when the file does not exist', async () => {
      const store = new LocalExportStore(root);
      const reading = collect(store.readTransient('exports/2026-Q3/clients.csv'));
      await expect(reading).rejects.toMatchObject({ key: 'exports/2026-Q3/clients.csv' });
    });
  });

  describe('readText', () => {
    it('returns the file as UTF-8 text', async () => {
      // Arrange
      await put('reports/2026-Q2/kpis.json', '{"name":"Zoë"}');
      const store = new LocalExportStore(root);

      // Act
      const text = await store.readText('reports/2026-Q2/kpis.json');

      // Assert
      expect(text).toBe('{"name":"Zoë"}');
    });

    it('returns undefined when the file does not exist', async () => {
      // Arrange
      const store = new LocalExportStore(root);

      // Act
      const text = await store.readText('reports/2026-Q2/kpis.json');

      // Assert
      expect(text).toBeUndefined();
    });
  });

  describe('write', () => {
    it('creates the parent directories and writes the body', async () => {
      // Arrange
      const store = new LocalExportStore(root);

      // Act
      await store.write('reports/2026-Q3/kpis.json', '{"ok":true}', 'application/json');

      // Assert
      expect(await readFile(path.join(root, 'reports', '2026-Q3', 'kpis.json'), 'utf8')).toBe('{"ok":true}');
    });

    it('replaces an existing file by rename, leaving no temporary file behind', async () => {
      // Arrange
      const store = new LocalExportStore(root);
      const file = path.join(root, 'reports', '2026-Q3', 'kpis.json');
      await store.write('reports/2026-Q3/kpis.json', 'first version', 'application/json');
      const before = await stat(file);

      // Act
      await store.write('reports/2026-Q3/kpis.json', new TextEncoder().encode('second'), 'application/json');

      // Assert: a new inode means the old file was swapped out whole, never truncated in place.
      expect(await readFile(file, 'utf8')).toBe('second');
      expect((await stat(file)).ino).not.toBe(before.ino);
      expect(await readdir(path.dirname(file))).toEqual(['kpis.json']);
    });

    it('refuses a key outside reports/ and leaves the export untouched', async () => {
      // Arrange
      await put('exports/2026-Q3/clients.csv', 'original');
      const store = new LocalExportStore(root);

      // Act
      const writing = store.write('exports/2026-Q3/clients.csv', 'overwritten', 'text/csv');

      // Assert
      await expect(writing).rejects.toThrow(/never writes outside reports\//);
      expect(await readFile(path.join(root, 'exports', '2026-Q3', 'clients.csv'), 'utf8')).toBe('original');
    });
  });

  describe('createIfAbsent', () => {
    it('creates the file with the body and returns true when nothing is there yet', async () => {
      // Arrange
      const store = new LocalExportStore(root);
      const file = path.join(root, 'reports', '2026-Q3', 'sent', 'ceo@example.com.json');

      // Act
      const created = await store.createIfAbsent(
        'reports/2026-Q3/sent/ceo@example.com.json',
        '{"state":"sending"}',
        'application/json',
      );

      // Assert
      expect(created).toBe(true);
      expect(await readFile(file, 'utf8')).toBe('{"state":"sending"}');
      expect(await readdir(path.dirname(file))).toEqual(['ceo@example.com.json']);
    });

    it('returns false and leaves the existing file untouched when the key exists', async () => {
      // Arrange
      const store = new LocalExportStore(root);
      const file = path.join(root, 'reports', '2026-Q3', 'kpis.json');
      await store.write('reports/2026-Q3/kpis.json', 'first', 'application/json');
      const before = await stat(file);

      // Act
      const created = await store.createIfAbsent(
        'reports/2026-Q3/kpis.json',
        new TextEncoder().encode('second'),
        'application/json',
      );

      // Assert
      expect(created).toBe(false);
      expect(await readFile(file, 'utf8')).toBe('first');
      expect((await stat(file)).ino).toBe(before.ino);
      expect(await readdir(path.dirname(file))).toEqual(['kpis.json']);
    });

    it('lets exactly one of 20 concurrent callers create the file, and the file holds the body of that one', async () => {
      // Arrange
      const store = new LocalExportStore(root);
      const key = 'reports/2026-Q3/sent/cfo@example.com.json';
      const bodies = Array.from({ length: 20 }, (_, i) => `caller ${i} `.repeat(10_000));

      // Act
      const results = await Promise.all(bodies.map((body) => store.createIfAbsent(key, body, 'text/plain')));

      // Assert
      expect(results.filter((created) => created)).toHaveLength(1);
      const winner = results.indexOf(true);
      const file = path.join(root, ...key.split('/'));
      expect(await readFile(file, 'utf8')).toBe(bodies[winner]);
      expect(await readdir(path.dirname(file))).toEqual(['cfo@example.com.json']);
    });

    it('refuses a key outside reports/ and leaves the export untouched', async () => {
      // Arrange
      await put('exports/2026-Q3/clients.csv', 'original');
      const store = new LocalExportStore(root);

      // Act
      const creating = store.createIfAbsent('exports/2026-Q3/new.csv', 'x', 'text/csv');

      // Assert
      await expect(creating).rejects.toThrow(/never writes outside reports\//);
      expect(await readdir(path.join(root, 'exports', '2026-Q3'))).toEqual(['clients.csv']);
    });

    it('refuses a key with a .. segment', async () => {
      // Arrange
      const store = new LocalExportStore(root);

      // Act
      const creating = store.createIfAbsent('reports/../escape.json', 'x', 'application/json');

      // Assert
      await expect(creating).rejects.toThrow(/has a '\.\.' segment/);
      expect(await readdir(root)).toEqual([]);
    });
  });

  describe('key safety', () => {
    it.each([
      'reports/../exports/2026-Q3/clients.csv',
      'reports/2026-Q3/../../../escape.json',
      '/etc/passwd',
      'reports//kpis.json',
      'reports\\kpis.json',
    ])('refuses to write the unsafe key %j', async (key) => {
      // Arrange
      const store = new LocalExportStore(root);

      // Act
      const writing = store.write(key, 'x', 'text/plain');

      // Assert
      await expect(writing).rejects.toThrow(/invalid object key/);
      expect(await readdir(root)).toEqual([]);
    });

    it('refuses to read, read as text or list through a .. segment or an absolute path', async () => {
      // Arrange
      const store = new LocalExportStore(path.join(root, 'data'));
      await put('secret.txt', 'outside the data root');

      // Act
      const reading = collect(store.read('../secret.txt'));
      const readingText = store.readText('/etc/hostname');
      const listing = collect(store.list('../'));

      // Assert
      await expect(reading).rejects.toThrow(/invalid object key '\.\.\/secret\.txt'/);
      await expect(readingText).rejects.toThrow(/is absolute/);
      await expect(listing).rejects.toThrow(/invalid list prefix/);
    });
  });
});
