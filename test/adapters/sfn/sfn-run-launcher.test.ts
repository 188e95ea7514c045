import {
  ExecutionAlreadyExists,
  InvalidExecutionInput,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { executionNameFor, SfnRunLauncher } from '../../../src/adapters/sfn/sfn-run-launcher';
import type { RunRequest } from '../../../src/core/ports';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:KpiReportDistributedRun';
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

const client = new SFNClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
});
const sfnMock = mockClient(client);
const launcher = new SfnRunLauncher({ client, stateMachineArn: STATE_MACHINE_ARN });

const REQUEST: RunRequest = {
  runId: 'api-7f3c9a2e-1d4b-4c8e-9f00-0123456789ab',
  quarter: '2026-Q3',
  dryRun: false,
  resend: true,
};

beforeEach(() => {
  sfnMock.reset();
});
afterAll(() => {
  sfnMock.restore();
  client.destroy();
});

describe('SfnRunLauncher', () => {
  it('starts one execution of the state machine with the run request as its input', async () => {
    // Arrange
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });

    // Act
    await launcher.start({ ...REQUEST, requestedBy: 'schedule' });

    // Assert
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const input = sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(input?.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(input?.name).toBe(executionNameFor(REQUEST));
    expect(JSON.parse(input?.input ?? 'null')).toEqual({
      quarter: '2026-Q3',
      runId: REQUEST.runId,
      requestedBy: 'schedule',
      dryRun: false,
      resend: true,
    });
  });

  it('says the API asked when the request does not say who did', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });

    await launcher.start(REQUEST);

    const input = sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(JSON.parse(input?.input ?? 'null')).toMatchObject({ requestedBy: 'api' });
  });

  it('names the execution after the quarter and run id, the same name for the same request', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });

    await launcher.start(REQUEST);
    await launcher.start({ ...REQUEST });

    const names = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
    expect(names[0]).toMatch(/^2026-Q3_api-7f3c9a2e-1d4b-4c8e-9f00-0123456789ab_[0-9a-f]{16}$/);
    expect(names[1]).toBe(names[0]);
  });

  it('resolves a duplicate request as already started when Step Functions answers ExecutionAlreadyExists', async () => {
    // Arrange
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    // Act
    const started = launcher.start(REQUEST);

    // Assert
    await expect(started).resolves.toBeUndefined();
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('rejects with any other error, so the API answers 500 instead of claiming a run started', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejectsOnce(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }))
      .rejectsOnce(new InvalidExecutionInput({ message: 'Invalid input', $metadata: {} }));

    await expect(launcher.start(REQUEST)).rejects.toThrow(StateMachineDoesNotExist);
    await expect(launcher.start(REQUEST)).rejects.toThrow(InvalidExecutionInput);
  });
});

describe('execution names', () => {
  it('keep to 80 characters of letters, digits, "-" and "_" whatever the run id', () => {
    const runIds = [
      'schedule-2026-10-05T06:00:00Z',
      'a run id with spaces, slashes/and ünïcödé',
      'x'.repeat(500),
      '',
      '../../etc/passwd',
    ];

    for (const runId of runIds) {
      expect(executionNameFor({ quarter: '2026-Q3', runId })).toMatch(EXECUTION_NAME);
    }
  });

  it('differ for run ids that sanitise or cut to the same text', () => {
    const long = 'y'.repeat(100);

    const names = [
      executionNameFor({ quarter: '2026-Q3', runId: 'schedule-2026-10-05T06:00:00Z' }),
      executionNameFor({ quarter: '2026-Q3', runId: 'schedule-2026-10-05T06-00-00Z' }),
      executionNameFor({ quarter: '2026-Q3', runId: `${long}a` }),
      executionNameFor({ quarter: '2026-Q3', runId: `${long}b` }),
    ];

    expect(new Set(names).size).toBe(names.length);
  });

  it('differ for the same run id in two quarters (each quarter keeps its own partials)', () => {
    expect(executionNameFor({ quarter: '2026-Q3', runId: 'r1' })).not.toBe(
      executionNameFor({ quarter: '2026-Q4', runId: 'r1' }),
    );
  });
});
