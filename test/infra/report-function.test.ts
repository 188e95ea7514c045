import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ReportFunction } from '../../infra/report-function';
import { testApp } from './support/infra-app';

describe('ReportFunction', () => {
  it('bundles the handler as ESM with the templates and the chart assets beside it', () => {
    // Prepare: real esbuild bundling, as `cdk synth` does it
    const app = testApp({}, { bundle: true });
    const stack = new Stack(app, 'Bundled');
    new ReportFunction(stack, 'Run', {
      entry: 'functions/run-report/index.ts',
      description: 'bundling test',
    });

    // Act
    const assembly = app.synth();

    // Assess
    const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const assetDir = path.join(assembly.directory, assets[0] ?? '');
    expect(readdirSync(assetDir).sort()).toEqual(['assets', 'index.mjs', 'index.mjs.map', 'templates']);
    expect(readdirSync(path.join(assetDir, 'assets')).sort()).toEqual([
      'dejavu-sans-latin-400-normal.woff2',
      'dejavu-sans-latin-700-normal.woff2',
      'index_bg.wasm',
    ]);
    expect(existsSync(path.join(assetDir, 'templates', 'email.html.hbs'))).toBe(true);
    expect(existsSync(path.join(assetDir, 'templates', 'partials'))).toBe(true);
    expect(statSync(path.join(assetDir, 'index.mjs')).size).toBeGreaterThan(100_000);
  }, 60_000);
});
