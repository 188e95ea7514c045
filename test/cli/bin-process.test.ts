/**
 * The CLI as a user starts it: a separate process, its real environment, stdout and stderr.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningS3rver, S3RVER_CREDENTIALS, startS3rver } from '../support/s3rver';

const run = promisify(execFile);
const BUCKET = 'kpi-cli';
let server: RunningS3rver;

/** Runs `kpi-report` from source in a child process; resolves with its exit code and output. */
async function kpiReport(args: readonly string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  server = await startS3rver([BUCKET]);
});

afterAll(async () => {
  await server.stop();
});

describe('kpi-report as a process', () => {
  it('prints no AWS SDK Node-version notice when it reads from S3', async () => {
    // Arrange: an environment without the SDK's own switch, as a user's shell has.
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _unset, ...userEnv } = process.env;
    const env = {
      ...userEnv,
      AWS_ENDPOINT_URL_S3: server.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    };

    // Act: the bucket holds no exports, so the run stops after listing it.
    const result = await kpiReport(['validate', '--data', `s3://${BUCKET}`, '--quarter', '2026-Q3'], env);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`s3://${BUCKET}/exports/2026-Q3/`);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning|AWS SDK for JavaScript/);
  }, 60_000);
});
