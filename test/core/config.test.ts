import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, parseConfigText } from '../../src/core/config';

describe('configuration', () => {
  it('has a default for everything', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      timeZone: 'UTC',
      fiscalYearStartMonth: 1,
      independenceThreshold: 0.8,
      minimumSample: 30,
      rejectLimitPercent: 1,
      currency: 'USD',
      segmentColumns: [],
      channelLabels: {},
    });
    expect(config.bands.netPromoterScore).toEqual({ strong: 50, moderate: 0 });
  });

  it('lists every bad field by name', () => {
    expect(() =>
      parseConfig({
        timeZone: 'Mars/Base',
        independenceThreshold: 2,
        bands: { netPromoterScore: { strong: -5 } },
      }),
    ).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        message: expect.stringMatching(
          /timeZone: .*IANA[\s\S]*independenceThreshold[\s\S]*bands\.netPromoterScore/,
        ),
      }),
    );
  });

  it('rejects unknown fields so that a typo is not silently ignored', () => {
    expect(() => parseConfig({ rejectLimit: 5 })).toThrow(/rejectLimit/);
  });

  it('lower-cases channel labels and segment columns', () => {
    const config = parseConfig({ channelLabels: { Portal: 'self_service' }, segmentColumns: [' Tier '] });
    expect(config.channelLabels).toEqual({ portal: 'self_service' });
    expect(config.segmentColumns).toEqual(['tier']);
  });

  it('names the file when the JSON itself is broken', () => {
    expect(() => parseConfigText('{ "timeZone": ', 'kpi-report.json')).toThrow(ConfigError);
    expect(() => parseConfigText('{ "timeZone": ', 'kpi-report.json')).toThrow(
      /kpi-report.json is not valid JSON/,
    );
  });
});
