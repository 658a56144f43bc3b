#!/usr/bin/env node
import './quiet-sdk-warning.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './cli/main.js';

// Entry point of the CLI bundle: wires the process to main().
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
