import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { lazyLambdaRunLauncher } from '../../src/adapters/lambda/lazy-lambda-run-launcher';
import { lazySfnRunLauncher } from '../../src/adapters/sfn/lazy-sfn-run-launcher';
import type { RunRequest } from '../../src/core/ports';

// The launchers make their own clients on first use: mock every client of the class.
const lambdaMock = mockClient(LambdaClient);
const sfnMock = mockClient(SFNClient);

const REQUEST: RunRequest = {
  runId: 'api-7f3c9a2e-1d4b-4c8e-9f00-0123456789ab',
  quarter: '2026-Q3',
  dryRun: true,
  resend: false,
};

beforeEach(() => {
  lambdaMock.reset();
  sfnMock.reset();
});
afterAll(() => {
  lambdaMock.restore();
  sfnMock.restore();
});

describe('lazyLambdaRunLauncher', () => {
  it('invokes the run function asynchronously with the request, tagged as coming from the API', async () => {
    // Arrange
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    const launcher = lazyLambdaRunLauncher({ region: 'eu-west-1', functionName: 'KpiReportRun' });

    // Act
    await launcher.start(REQUEST);

    // Assert
    expect(lambdaMock).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambdaMock.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input?.FunctionName).toBe('KpiReportRun');
    expect(input?.InvocationType).toBe('Event');
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
      source: 'api',
      ...REQUEST,
    });
  });

  it('starts later runs through the same loaded launcher, and passes a failure on', async () => {
    // Arrange
    lambdaMock
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 202 })
      .rejectsOnce(new Error('Rate exceeded'))
      .resolves({ StatusCode: 202 });
    const launcher = lazyLambdaRunLauncher({ region: 'eu-west-1', functionName: 'KpiReportRun' });

    // Act
    await launcher.start(REQUEST);
    const second = launcher.start({ ...REQUEST, runId: 'api-2' });

    // Assert
    await expect(second).rejects.toThrow('Rate exceeded');
    await launcher.start({ ...REQUEST, runId: 'api-3' });
    expect(lambdaMock).toHaveReceivedCommandTimes(InvokeCommand, 3);
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
