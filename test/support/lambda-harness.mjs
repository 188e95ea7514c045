// Invokes a built Lambda bundle once, as the Node.js runtime does: the working directory is
// the task root, the handler is `index.handler` of `index.mjs` there, imported by file URL,
// and it gets the event and a context with the request id and the time left. Plain
// JavaScript, so the runtime's own Node runs it with nothing else installed.
//   node lambda-harness.mjs <invocation.json> <answer.json>
// invocation.json: { "event": …, "awsRequestId": "…", "functionName": "…", "timeoutMs": 60000, "memoryMb": 512 }
// answer.json: { "ok": true, "result": … } or { "ok": false, "errorType": "…", "errorMessage": "…", "stack": "…" },
//   with "node" (its version) and "uid" (the user it ran as)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [invocationFile, answerFile] = process.argv.slice(2);
const invocation = JSON.parse(readFileSync(invocationFile, 'utf8'));
const taskRoot = process.env.LAMBDA_TASK_ROOT;
const [moduleName, exportName] = (process.env._HANDLER ?? 'index.handler').split('.');
const deadline = Date.now() + invocation.timeoutMs;
const context = {
  awsRequestId: invocation.awsRequestId,
  functionName: invocation.functionName,
  functionVersion: '$LATEST',
  memoryLimitInMB: String(invocation.memoryMb),
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${invocation.functionName}`,
  logGroupName: `/aws/lambda/${invocation.functionName}`,
  logStreamName: 'built-bundle-test',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};

let answer;
try {
  process.chdir(taskRoot);
  const module = await import(pathToFileURL(path.join(taskRoot, `${moduleName}.mjs`)).href);
  const handler = module[exportName];
  if (typeof handler !== 'function') throw new TypeError(`${moduleName}.${exportName} is not a function`);
  answer = { ok: true, result: (await handler(invocation.event, context)) ?? null };
} catch (error) {
  answer = {
    ok: false,
    errorType: error?.name ?? typeof error,
    errorMessage: error?.message ?? String(error),
    stack: error?.stack,
  };
}
// Which Node and which user ran it, for the test to check it ran as Lambda would.
writeFileSync(answerFile, JSON.stringify({ ...answer, node: process.version, uid: process.getuid() }));
// Lambda freezes the process after the answer; a test has nothing to wait for after it.
process.exit(answer.ok ? 0 : 1);
