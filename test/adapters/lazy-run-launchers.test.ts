import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { lazyLambdaRunLauncher } from '../../src/adapters/lambda/lazy-lambda-run-launcher';
import { lazySfnRunLauncher } from '../../src/adapters/sfn/lazy-sfn-run-launcher';
import type { RunRequest } from '../../src/core/ports';
import {
  type RecordedInvocation,
  type RecordingEndpoint,
  startLambdaInvokeRecorder,
} from '../support/recording-endpoints';

// The state machine's launcher makes its own client on first use, and no Step Functions
// emulator runs here: every client of the class is mocked.
const sfnMock = mockClient(SFNClient);

const REQUEST: RunRequest = {
  runId: 'api-7f3c9a2e-1d4b-4c8e-9f00-0123456789ab',
  quarter: '2026-Q3',
  dryRun: true,
  resend: false,
};

beforeEach(() => {
  sfnMock.reset();
});
afterAll(() => {
  sfnMock.restore();
});

describe('lazyLambdaRunLauncher', () => {
  // Lambda's Invoke, answered and recorded by a local endpoint; the launcher makes its own
  // client on first use, so it finds the endpoint and credentials where the SDK looks.
  let lambda: RecordingEndpoint<RecordedInvocation>;
  beforeAll(async () => {
    lambda = await startLambdaInvokeRecorder();
  });
  afterAll(async () => {
    await lambda.stop();
  });
  beforeEach(() => {
    vi.stubEnv('AWS_ENDPOINT_URL_LAMBDA', lambda.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDLOCAL');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', undefined);
    lambda.recorded.length = 0;
    lambda.intercept = () => undefined;
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('invokes the run function asynchronously with the request, tagged as coming from the API', async () => {
    // Arrange
    const launcher = lazyLambdaRunLauncher({ region: 'eu-west-1', functionName: 'KpiReportRun' });

    // Act
    await launcher.start(REQUEST);

    // Assert
    expect(lambda.recorded).toEqual([
      { functionName: 'KpiReportRun', invocationType: 'Event', payload: { source: 'api', ...REQUEST } },
    ]);
  });

  it('starts later runs through the same loaded launcher, and passes a failure on', async () => {
    // Arrange
    const launcher = lazyLambdaRunLauncher({ region: 'eu-west-1', functionName: 'KpiReportRun' });
    await launcher.start(REQUEST);

    // Act: Lambda refuses the second run (not retried: a 403 is the caller's), takes the third.
    lambda.intercept = () => ({
      status: 403,
      type: 'application/json',
      headers: { 'x-amzn-errortype': 'AccessDeniedException' },
      body: JSON.stringify({ Message: 'not authorized to perform lambda:InvokeFunction' }),
    });
    const second = launcher.start({ ...REQUEST, runId: 'api-2' });
    await expect(second).rejects.toMatchObject({ name: 'AccessDeniedException' });
    lambda.intercept = () => undefined;
    await launcher.start({ ...REQUEST, runId: 'api-3' });

    // Assert
    expect(lambda.recorded.map((invocation) => (invocation.payload as RunRequest).runId)).toEqual([
      REQUEST.runId,
      'api-3',
    ]);
  });
});

describe('lazySfnRunLauncher', () => {
  it('starts an execution of the state machine once the first run asks for one', async () => {
    // Arrange
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });
    const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:KpiReportDistributedRun';
    const launcher = lazySfnRunLauncher({ region: 'eu-west-1', stateMachineArn });

    // Act
    await launcher.start(REQUEST);

    // Assert
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input.stateMachineArn).toBe(
      stateMachineArn,
    );
  });
});
