import { describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { openExportStore } from '../../src/adapters/open-export-store';
import { parseS3Location, S3ExportStore } from '../../src/adapters/s3/s3-export-store';

describe('parseS3Location', () => {
  it.each([
    ['s3://kpi-data', { bucket: 'kpi-data', prefix: '' }],
    ['s3://kpi-data/', { bucket: 'kpi-data', prefix: '' }],
    ['s3://kpi-data/some/prefix/', { bucket: 'kpi-data', prefix: 'some/prefix' }],
    ['s3://kpi-data/some/prefix', { bucket: 'kpi-data', prefix: 'some/prefix' }],
    ['S3://kpi.data-2026/x', { bucket: 'kpi.data-2026', prefix: 'x' }],
  ])('parses %j into its bucket and prefix', (url, expected) => {
    // Arrange
    const location = url;

    // Act
    const parsed = parseS3Location(location);

    // Assert
    expect(parsed).toEqual(expected);
  });

  it.each([
    's3://',
    's3:///prefix',
    's3://b',
    's3://bad bucket/x',
    's3://kpi-data//x',
    's3://kpi-data/a/../b',
    's3:/kpi-data',
    'https://kpi-data/x',
    './data',
  ])('returns undefined for %j', (url) => {
    // Arrange
    const location = url;

    // Act
    const parsed = parseS3Location(location);

    // Assert
    expect(parsed).toBeUndefined();
  });
});

describe('openExportStore', () => {
  it('opens a local directory for a plain path, keeping it as the location', async () => {
    // Arrange
    const location = './data';

    // Act
    const store = await openExportStore(location, {});

    // Assert
    expect(store).toBeInstanceOf(LocalExportStore);
    expect(store.location).toBe('./data');
  });

  it('opens a local directory for a file: URL', async () => {
    // Arrange
    const location = 'file:///srv/kpi-data';

    // Act
    const store = await openExportStore(location, {});

    // Assert
    expect(store).toBeInstanceOf(LocalExportStore);
    expect(store.location).toBe('/srv/kpi-data');
  });

  it('opens an S3 store for an s3:// location without any endpoint or region in the env', async () => {
    // Arrange
    const location = 's3://kpi-data/acme/';

    // Act
    const store = await openExportStore(location, {});

    // Assert
    expect(store).toBeInstanceOf(S3ExportStore);
    expect(store.location).toBe('s3://kpi-data/acme');
  });

  it.each(['s3://', 's3:/kpi-data', 's3://kpi-data//x'])(
    'throws a clear error for the malformed %j',
    async (location) => {
      // Arrange
      const env = {};

      // Act
      const opening = () => openExportStore(location, env);

      // Assert
      await expect(opening()).rejects.toThrow(
        /malformed S3 location .*use s3:\/\/bucket or s3:\/\/bucket\/prefix/,
      );
    },
  );

  it('refuses another URL scheme rather than treating it as a directory name', async () => {
    // Arrange
    const location = 'gs://kpi-data/acme';

    // Act
    const opening = () => openExportStore(location, {});

    // Assert
    await expect(opening()).rejects.toThrow(/unsupported data location 'gs:\/\/kpi-data\/acme'/);
  });
});
