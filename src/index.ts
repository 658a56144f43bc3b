#!/usr/bin/env node
import './quiet-sdk-warning.js';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './cli/main.js';

// Entry point of the CLI bundle: wires the process to main().
const controller = new AbortController();
const listeners: ((sig: NodeJS.Signals) => void)[] = [];
// After a signal, a command gets a short while to give back what it holds (the queue
// place, a lock being taken); if DynamoDB does not answer by then, or a second signal
// comes, it exits anyway. `run` is the exception: it passes signals to its command and
// exits when the command does.
const GIVE_BACK_AFTER_SIGNAL_MS = 7_000;
const signalExit = (sig: NodeJS.Signals) => 128 + (os.constants.signals[sig] ?? 0);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    const first = !controller.signal.aborted;
    if (first) controller.abort(sig);
    for (const l of listeners) l(sig);
    if (listeners.length > 0) return;
    if (!first) {
      process.stderr.write(`daplaya: stopped by ${sig}\n`);
      process.exit(signalExit(sig));
    }
    setTimeout(() => {
      process.stderr.write(`daplaya: stopped by ${sig}; DynamoDB did not answer within ${GIVE_BACK_AFTER_SIGNAL_MS / 1000}s (a lock being taken lapses with its lease)\n`);
      process.exit(signalExit(sig));
    }, GIVE_BACK_AFTER_SIGNAL_MS).unref();
  });
}
const code = await main(process.argv.slice(2), process.env, {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  signal: controller.signal,
  onSignal: (l) => listeners.push(l),
  env: process.env,
  renewerScript: path.join(path.dirname(fileURLToPath(import.meta.url)), 'renewer', 'index.js'),
  // The entry point composes the surfaces: the CLI's `slack serve` runs the Slack server.
  serveSlack: async (client, opts) => (await import('./slack/serve.js')).serveSlack(client, opts),
});
process.exitCode = code;
