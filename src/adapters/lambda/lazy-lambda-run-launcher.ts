import type { RunLauncher } from '../../core/ports';
import { lazyRunLauncher } from '../lazy-run-launcher';

/** Starts runs as asynchronous invocations of the run function (see `LambdaRunLauncher`). */
export function lazyLambdaRunLauncher(options: {
  region?: string | undefined;
  functionName: string;
}): RunLauncher {
  return lazyRunLauncher(async () => {
    const [{ LambdaClient }, { LambdaRunLauncher }] = await Promise.all([
      import('@aws-sdk/client-lambda'),
      import('./lambda-run-launcher'),
    ]);
    return new LambdaRunLauncher({
      client: new LambdaClient({ region: options.region }),
      functionName: options.functionName,
    });
  });
}
