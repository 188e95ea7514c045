/** The `kpi-report` executable. */
import { dropOutputOnceClosed } from './closed-output';
import { main } from './main';

// `engines` allows Node 20, on which every AWS SDK client prints an 8-line notice that SDK
// releases after January 2027 need Node 22. It is addressed to us, who pin the SDK, not to
// someone running a report, so it is turned off the way the SDK provides (an explicit
// setting in the environment still wins). The Lambda functions run on Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

dropOutputOnceClosed(process.stdout);
dropOutputOnceClosed(process.stderr);
process.exitCode = await main(process.argv.slice(2), process.env);
