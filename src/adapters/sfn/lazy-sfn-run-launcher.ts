import type { RunLauncher } from '../../core/ports';
import { lazyRunLauncher } from '../lazy-run-launcher';

/** Starts distributed runs as executions of the state machine (see `SfnRunLauncher`). */
export function lazySfnRunLauncher(options: {
  region?: string | undefined;
  stateMachineArn: string;
}): RunLauncher {
  return lazyRunLauncher(async () => {
    const [{ SFNClient }, { SfnRunLauncher }] = await Promise.all([
      import('@aws-sdk/client-sfn'),
      import('./sfn-run-launcher'),
    ]);
    return new SfnRunLauncher({
      client: new SFNClient({ region: options.region }),
      stateMachineArn: options.stateMachineArn,
    });
  });
}
