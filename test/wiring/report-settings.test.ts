import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config';
import { applyReportSettings } from '../../src/wiring/report-settings';

const DEPLOYED = parseConfig({
  companyName: 'Acme',
  targets: { netPromoterScore: { value: 30 } },
  email: { from: 'KPIs <kpi@acme.example>', recipients: [{ address: 'ceo@acme.example' }], send: true },
});

describe('report settings over the deployed configuration', () => {
  it('replace each given field whole and keep the rest of the deployment', () => {
    // Act
    const config = applyReportSettings(
      DEPLOYED,
      JSON.stringify({ email: { recipients: [{ address: 'cfo@acme.example', name: 'Sam' }] } }),
      'settings.json',
    );

    // Assert
    expect(config.email.recipients).toEqual([{ address: 'cfo@acme.example', name: 'Sam' }]);
    expect(config.targets).toEqual(DEPLOYED.targets);
    expect(config.bands).toEqual(DEPLOYED.bands);
    expect({ ...config.email, recipients: [] }).toEqual({ ...DEPLOYED.email, recipients: [] });
    expect(config.companyName).toBe('Acme');
  });

  it('take targets and bands, a band left out at its default, and accept a $schema key', () => {
    const config = applyReportSettings(
      DEPLOYED,
      JSON.stringify({
        $schema: 'https://example.com/kpi-report.schema.json',
        targets: { customerRetentionRate: { value: 92 } },
        bands: { netPromoterScore: { strong: 60, moderate: 10 } },
      }),
      'settings.json',
    );

    expect(config.targets).toEqual({ customerRetentionRate: { value: 92, direction: 'higher' } });
    expect(config.bands.netPromoterScore).toEqual({ strong: 60, moderate: 10 });
    expect(config.bands.customerRetentionRate).toEqual(DEPLOYED.bands.customerRetentionRate);
    expect(config.email.recipients).toEqual(DEPLOYED.email.recipients);
  });

  it('list every problem at once, each with its field, under the object named', () => {
    expect(() =>
      applyReportSettings(
        DEPLOYED,
        JSON.stringify({
          timeZone: 'Europe/Paris',
          email: {
            from: 'x@acme.example',
            recipients: [{ address: 'a@acme.example' }, { address: 'A@acme.example' }],
          },
          targets: { nps: { value: 10 } },
        }),
        's3://bucket/config/kpi-report.json',
      ),
    ).toThrow(
      /^s3:\/\/bucket\/config\/kpi-report\.json is not valid:\n {2}- email\.from: not a report setting.*\n {2}- timeZone: not a report setting.*\n {2}- targets: nps: not a KPI id.*\n {2}- email\.recipients: an address is listed twice.*\nFix it/,
    );
  });
});
