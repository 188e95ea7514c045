import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/core/config';
import { bandOf } from '../../../src/core/kpis/bands';

const { bands } = parseConfig({});

describe('bands', () => {
  it('puts each default threshold in the better band', () => {
    expect(bandOf('clientIndependenceRate', 80, bands)).toBe('strong');
    expect(bandOf('clientIndependenceRate', 79.99, bands)).toBe('moderate');
    expect(bandOf('clientIndependenceRate', 60, bands)).toBe('moderate');
    expect(bandOf('clientIndependenceRate', 59.9, bands)).toBe('weak');
    expect(bandOf('selfServiceAdoptionRate', 70, bands)).toBe('strong');
    expect(bandOf('empowermentSatisfactionScore', 70, bands)).toBe('moderate');
    expect(bandOf('netPromoterScore', 0, bands)).toBe('moderate');
    expect(bandOf('netPromoterScore', -0.1, bands)).toBe('weak');
    expect(bandOf('customerRetentionRate', 90, bands)).toBe('strong');
    expect(bandOf('relationshipDepth', 28, bands)).toBe('weak');
  });

  it('gives no band to a null value or to cost without configured thresholds', () => {
    expect(bandOf('netPromoterScore', null, bands)).toBeNull();
    expect(bandOf('costToSupportPerClient', 310, bands)).toBeNull();
  });

  it('bands cost lower-is-better when thresholds are configured', () => {
    const configured = parseConfig({
      bands: { costToSupportPerClient: { strong: 100, moderate: 200 } },
    }).bands;
    expect(bandOf('costToSupportPerClient', 100, configured)).toBe('strong');
    expect(bandOf('costToSupportPerClient', 150, configured)).toBe('moderate');
    expect(bandOf('costToSupportPerClient', 201, configured)).toBe('weak');
  });
});
