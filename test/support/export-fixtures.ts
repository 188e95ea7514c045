/**
 * Data roots for use-case and CLI tests: each test gets a fresh temporary directory laid
 * out as `<root>/exports/<quarter>/…` (spec/exports.md), either cloned from a fixture in
 * `test/fixtures/` or written from inline rows, and can prove that nothing under
 * `exports/` was touched by hashing every file before and after.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Snapshot, snapshotSchema } from '../../src/core/snapshot';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

const createdRoots: string[] = [];

/** A fresh, empty data root in the system's temporary directory. */
export async function createDataRoot(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'kpi-report-test-'));
  createdRoots.push(root);
  return root;
}

/** Removes every data root created so far; call it from `afterEach`. */
export async function removeDataRoots(): Promise<void> {
  const roots = createdRoots.splice(0);
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
}

/**
 * Clones `test/fixtures/<name>/` (one folder per quarter, e.g. `2026-Q3/clients.csv`) into
 * a fresh data root as `<root>/exports/<quarter>/…` and returns the root.
 */
export async function cloneFixture(name: string): Promise<string> {
  const root = await createDataRoot();
  await cp(path.join(FIXTURES, name), path.join(root, 'exports'), { recursive: true });
  return root;
}

/** One CSV file as rows of cells, the header first; or its exact text. */
export type CsvContent = readonly (readonly string[])[] | string;

/**
 * Files of one export set, keyed by their path inside `exports/<quarter>/`:
 * `clients.csv`, `interactions.csv.gz`, `interactions/part-2.csv.gz`. A name ending in
 * `.gz` is gzip-compressed.
 */
export type ExportFiles = Readonly<Record<string, CsvContent>>;

/** Quotes a cell when RFC 4180 requires it. */
function csvCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** CSV text of rows (header first), LF line endings, with a final line break. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => `${row.map(csvCell).join(',')}\n`).join('');
}

/** Writes an export set for `quarter` under `root` (creating or adding to it). */
export async function writeExportSet(root: string, quarter: string, files: ExportFiles): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, 'exports', quarter, ...name.split('/'));
    const text = typeof content === 'string' ? content : toCsv(content);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, name.endsWith('.gz') ? gzipSync(Buffer.from(text, 'utf8')) : text);
  }
}

/** Creates a data root holding export sets for the given quarters. */
export async function createExports(sets: Readonly<Record<string, ExportFiles>>): Promise<string> {
  const root = await createDataRoot();
  for (const [quarter, files] of Object.entries(sets)) await writeExportSet(root, quarter, files);
  return root;
}

async function listFiles(directory: string, relative = ''): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(path.join(directory, relative), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(directory, child)));
    else files.push(child);
  }
  return files.sort();
}

/**
 * SHA-256 of every file under `<root>/exports/` (of a link, its target), keyed by its path
 * there. Equal before and after a run proves the run modified, moved, added and deleted
 * nothing there.
 */
export function hashExports(root: string): Promise<Record<string, string>> {
  return hashFiles(path.join(root, 'exports'));
}

/** SHA-256 of every file under `directory`, keyed by its `/`-separated path there. */
export async function hashFiles(directory: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const file of await listFiles(directory)) {
    const location = path.join(directory, ...file.split('/'));
    // A link is hashed as where it points (it may point nowhere, or at itself).
    const bytes = (await lstat(location)).isSymbolicLink()
      ? `link to ${await readlink(location)}`
      : await readFile(location);
    hashes[file] = createHash('sha256').update(bytes).digest('hex');
  }
  return hashes;
}

/** Every file under `<root>/<folder>/`, as `/`-separated paths relative to it. */
export function filesUnder(root: string, folder: string): Promise<string[]> {
  return listFiles(path.join(root, folder));
}

/** Reads `<root>/reports/<quarter>/<name>` as JSON, or `undefined` when absent. */
export async function readReport(root: string, quarter: string, name: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path.join(root, 'reports', quarter, name), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads and validates `<root>/reports/<quarter>/kpis.json`. */
export async function readSnapshot(root: string, quarter: string): Promise<Snapshot> {
  return snapshotSchema.parse(await readReport(root, quarter, 'kpis.json'));
}

/** Overwrites `<root>/reports/<quarter>/<name>` (to hand-edit a published snapshot). */
export async function writeReport(root: string, quarter: string, name: string, text: string): Promise<void> {
  const file = path.join(root, 'reports', quarter, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** Writes a configuration file outside any data root and returns its path. */
export async function writeConfigFile(content: unknown): Promise<string> {
  const file = path.join(await createDataRoot(), 'kpi-report.json');
  await writeFile(file, JSON.stringify(content));
  return file;
}
