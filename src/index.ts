#!/usr/bin/env node
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './cli/main.js';

// Entry point of the CLI bundle: wires the process to main().
// The SDK's multi-line Node-version notice would break the one-line-error contract on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const controller = new AbortController();
const listeners: ((sig: NodeJS.Signals) => void)[] = [];
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (!controller.signal.aborted) controller.abort(sig);
    for (const l of listeners) l(sig);
  });
}
const code = await main(process.argv.slice(2), process.env, {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  signal: controller.signal,
  onSignal: (l) => listeners.push(l),
  env: process.env,
  heartbeatScript: path.join(path.dirname(fileURLToPath(import.meta.url)), 'heartbeat', 'index.js'),
});
process.exitCode = code;
