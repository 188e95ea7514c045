/** Starts a report run as an asynchronous invocation of the run function. */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { RunLauncher, RunRequest } from '../../core/ports';

/**
 * `InvocationType: 'Event'`: Lambda queues the event and answers 202 at once; the run
 * function's own retry and dead-letter settings apply from there.
 */
export class LambdaRunLauncher implements RunLauncher {
  readonly #client: LambdaClient;
  readonly #functionName: string;

  constructor(options: { client: LambdaClient; functionName: string }) {
    this.#client = options.client;
    this.#functionName = options.functionName;
  }

  async start(request: RunRequest): Promise<void> {
    await this.#client.send(
      new InvokeCommand({
        FunctionName: this.#functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ source: 'api', ...request })),
      }),
    );
  }
}
