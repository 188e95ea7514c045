/** The file-bytes adapter: an export file's content as the readers get it, verified against its listing. */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { exportFileContent } from '../../../src/adapters/file-bytes/export-file-content';
import { ExportFileError } from '../../../src/core/errors';
import type { ExportFile } from '../../../src/core/ports';
import { MemoryExportStore } from '../../support/memory-store';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function drain(bytes: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  for await (const chunk of bytes) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** A store holding `bytes` under `name`, as listed with `size` (its true size unless told). */
function stored(name: string, bytes: Uint8Array, size = bytes.length) {
  const store = new MemoryExportStore(3);
  const key = `exports/2026-Q3/${name}`;
  store.objects.set(key, bytes);
  const file: ExportFile = { key, name, size };
  return { store, file };
}

describe('exportFileContent', () => {
  it('gives a plain file as stored, with its size and SHA-256', async () => {
    // Arrange
    const bytes = encoder.encode('client_id\nC1\n');
    const { store, file } = stored('clients.csv', bytes);

    // Act
    const content = exportFileContent(store, file);
    const text = await drain(content.bytes);

    // Assert
    expect(text).toBe('client_id\nC1\n');
    expect(content.stats()).toEqual({
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('gunzips a .gz file and reports the stored (compressed) size and hash', async () => {
    // Arrange
    const bytes = new Uint8Array(gzipSync(Buffer.from('a,b\n1,2\n')));
    const { store, file } = stored('data.CSV.GZ', bytes);

    // Act
    const content = exportFileContent(store, file, { transient: true });
    const text = await drain(content.bytes);

    // Assert
    expect(text).toBe('a,b\n1,2\n');
    expect(content.stats().bytes).toBe(bytes.length);
    expect(content.stats().sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('refuses a file whose bytes do not add up to the listed size', async () => {
    // Arrange
    const { store, file } = stored('clients.csv', encoder.encode('client_id\nC1\n'), 20);

    // Act
    const reading = drain(exportFileContent(store, file).bytes);

    // Assert
    await expect(reading).rejects.toThrow(ExportFileError);
    await expect(drain(exportFileContent(store, file).bytes)).rejects.toThrow(
      /clients\.csv: 13 bytes were read but 20 are stored/,
    );
  });

  it('names a .gz file that is not gzip, and one cut short', async () => {
    // Arrange
    const plain = stored('interactions.csv.gz', encoder.encode('not gzip at all\n'));
    const whole = gzipSync(Buffer.from('a,b\n'.repeat(100)));
    const cut = stored('surveys.csv.gz', new Uint8Array(whole.subarray(0, whole.length - 6)));

    // Act
    const notGzip = drain(exportFileContent(plain.store, plain.file).bytes);
    const cutShort = drain(exportFileContent(cut.store, cut.file).bytes);

    // Assert
    await expect(notGzip).rejects.toThrow(/interactions\.csv\.gz is not gzip-compressed/);
    await expect(cutShort).rejects.toThrow(/surveys\.csv\.gz is cut short/);
  });

  it('reads through readTransient only when asked and the file is not gzip', async () => {
    // Arrange
    const { store, file } = stored('clients.csv', encoder.encode('client_id\nC1\n'));
    const used: string[] = [];
    const watched = {
      read: (key: string) => {
        used.push('read');
        return store.read(key);
      },
      readTransient: (key: string) => {
        used.push('readTransient');
        return store.readTransient(key);
      },
    };

    // Act
    await drain(exportFileContent(watched, file).bytes);
    await drain(exportFileContent(watched, file, { transient: true }).bytes);

    // Assert
    expect(used).toEqual(['read', 'readTransient']);
  });
});
