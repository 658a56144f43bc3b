#!/usr/bin/env node
import { main } from './cli/main.js';

// Entry point of the CLI bundle: wires the process to main().
// The SDK's multi-line Node-version notice would break the one-line-error contract on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  });
}
const code = await main(process.argv.slice(2), process.env, {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  signal: controller.signal,
});
process.exitCode = code;
