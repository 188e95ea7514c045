/**
 * The functions' settings from the environment the construct sets: defaults for what may
 * be left out, and a cold start that fails naming every variable at fault.
 */
import { describe, expect, it } from 'vitest';
import { lambdaSettings } from '../../src/wiring/lambda-environment';

describe('lambdaSettings', () => {
  it('opens the data root named by DATA_BUCKET and DATA_PREFIX, with the defaults for the rest', async () => {
    // Arrange
    const environment = { DATA_BUCKET: 'acme-kpi', DATA_PREFIX: 'finance' };

    // Act
    const settings = lambdaSettings(environment);

    // Assert
    expect(settings.store.location).toBe('s3://acme-kpi/finance');
    expect(settings.env).toMatchObject({ DATA_PREFIX: 'finance', AWS_REGION: 'us-east-1' });
    expect(settings.env.WAIT_FOR_EXPORTS_DAYS).toBeUndefined();
    expect(settings.config.timeZone).toBe('UTC');
    expect(await settings.s3.config.region()).toBe('us-east-1');
  });

  it('reads the deployed configuration and the numbers the construct sets', () => {
    // Arrange
    const environment = {
      DATA_BUCKET: 'acme-kpi',
      KPI_REPORT_CONFIG: JSON.stringify({ timeZone: 'Europe/Paris', companyName: 'Acme' }),
      WAIT_FOR_EXPORTS_DAYS: '30',
      REPORT_DUE_DAYS: '8',
      AWS_REGION: 'eu-west-1',
    };

    // Act
    const settings = lambdaSettings(environment);

    // Assert
    expect(settings.config).toMatchObject({ timeZone: 'Europe/Paris', companyName: 'Acme' });
    expect(settings.env).toMatchObject({
      WAIT_FOR_EXPORTS_DAYS: 30,
      REPORT_DUE_DAYS: 8,
      AWS_REGION: 'eu-west-1',
    });
  });

  it('fails the cold start naming every variable at fault', () => {
    // Arrange
    const environment = { WAIT_FOR_EXPORTS_DAYS: 'soon', REPORT_DUE_DAYS: '-1' };

    // Act
    const reading = () => lambdaSettings(environment);

    // Assert
    expect(reading).toThrow(/the function's environment is not valid: DATA_BUCKET: /);
    expect(reading).toThrow(/WAIT_FOR_EXPORTS_DAYS: /);
    expect(reading).toThrow(/REPORT_DUE_DAYS: /);
  });

  it('refuses a configuration the functions could not run with, naming KPI_REPORT_CONFIG', () => {
    // Arrange
    const environment = {
      DATA_BUCKET: 'acme-kpi',
      KPI_REPORT_CONFIG: JSON.stringify({ timeZone: 'Mars/Base' }),
    };

    // Act
    const reading = () => lambdaSettings(environment);

    // Assert
    expect(reading).toThrow(/KPI_REPORT_CONFIG[\s\S]*timeZone/);
  });
});
