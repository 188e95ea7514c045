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

describe('email settings', () => {
  it('default to the outbox, no recipients and a 5-point risk threshold', () => {
    const config = parseConfig({});

    expect(config.email).toEqual({
      from: 'KPI report <kpi-report@example.com>',
      recipients: [],
      send: false,
      riskDropPoints: 5,
      viewOnline: false,
      ses: {},
    });
  });

  it('accept recipients limited to segments, lower-casing the dimension', () => {
    const config = parseConfig({
      email: {
        recipients: [{ address: 'emea@example.com', segments: [{ dimension: 'Region', value: 'EMEA' }] }],
      },
    });

    expect(config.email.recipients[0]?.segments).toEqual([{ dimension: 'region', value: 'EMEA' }]);
  });

  it('name a bad address and an address listed twice', () => {
    expect(() =>
      parseConfig({
        email: {
          recipients: [
            { address: 'not-an-address' },
            { address: 'a@example.com' },
            { address: 'A@example.com' },
          ],
        },
      }),
    ).toThrow(
      /email\.recipients\.0\.address: not an email address[\s\S]*email\.recipients: an address is listed twice/,
    );
  });
});

describe('targets', () => {
  it('are none by default', () => {
    expect(parseConfig({}).targets).toEqual({});
  });

  it('take the KPI’s own direction unless told: higher, but lower for Cost to Support', () => {
    // Act
    const config = parseConfig({
      targets: {
        customerRetentionRate: { value: 95 },
        costToSupportPerClient: { value: 120 },
        netPromoterScore: { value: 20, direction: 'higher' },
      },
    });

    // Assert
    expect(config.targets).toEqual({
      customerRetentionRate: { value: 95, direction: 'higher' },
      costToSupportPerClient: { value: 120, direction: 'lower' },
      netPromoterScore: { value: 20, direction: 'higher' },
    });
  });

  it('name the field and the range when a target cannot be reached or the KPI is unknown', () => {
    expect(() =>
      parseConfig({
        targets: {
          customerRetentionRate: { value: 140 },
          netPromoterScore: { value: 10, direction: 'up' },
          churnRate: { value: 5 },
        },
      }),
    ).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /targets\.customerRetentionRate\.value: the target is a percentage from 0 to 100/,
        ),
      }),
    );
    expect(() => parseConfig({ targets: { netPromoterScore: { value: 10, direction: 'up' } } })).toThrow(
      /targets\.netPromoterScore\.direction: write "higher" or "lower"/,
    );
    expect(() => parseConfig({ targets: { churnRate: { value: 5 } } })).toThrow(
      /targets: churnRate: not a KPI id; use one of clientIndependenceRate, /,
    );
  });
});
