import { describe, expect, it } from 'vitest';
import { rootKeyPrefix } from '../../../src/adapters/s3/root-prefix';

describe('the key prefix of a data root in a bucket', () => {
  it('is empty for the bucket root and ends with one slash otherwise', () => {
    expect(rootKeyPrefix('')).toBe('');
    expect(rootKeyPrefix('/')).toBe('');
    expect(rootKeyPrefix('kpi')).toBe('kpi/');
    expect(rootKeyPrefix('/kpi/data//')).toBe('kpi/data/');
  });
});
