import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Config } from '../config.js';
import type { LockClient } from '../lock/client.js';
import { runHeartbeat } from '../lock/heartbeat.js';
import { describeHolder } from './format.js';
import { EXIT } from './exit-codes.js';
import { acquireForCli, type Io } from './main.js';

/**
 * `run -- CMD`: lock, run CMD with the lease renewed, release whatever happens,
 * and exit with CMD's code. Signals are passed to CMD; the release follows its exit.
 */
export async function runCommand(client: LockClient, config: Config, io: Io): Promise<number> {
  const r = await acquireForCli(client, config, io);
  if (!r.ok) {
    const who = r.holder ? ` by ${describeHolder(r.holder, Date.now())}` : '';
    io.err(r.reason === 'cancelled' ? `daplaya: cancelled while waiting for env ${config.envs.join(',')}${who}` : `daplaya: env ${r.holder?.name ?? config.envs.join(',')} is locked${who}; not running the command`);
    return r.reason === 'cancelled' ? EXIT.failure : EXIT.busy;
  }
  const fences = r.locks.map((l) => l.fence).join(',');
  io.err(`daplaya: locked env ${config.envs.join(',')} for ${config.user} (fence ${fences}); running ${config.runArgs.join(' ')}`);

  const stopHeartbeat = new AbortController();
  let lost: string | undefined;
  const child = spawn(config.runArgs[0] as string, config.runArgs.slice(1), {
    stdio: 'inherit',
    env: { ...(io.env ?? {}), DAPLAYA_FENCE: fences, DAPLAYA_LOCK_ID: config.lockId, DAPLAYA_LOCKED_ENV: config.envs.join(',') },
  });
  const heartbeat = runHeartbeat(
    client,
    r.locks.map((l) => ({ name: l.name, lockId: l.lockId, fence: l.fence })),
    { leaseMs: config.leaseMs, maxLifetimeMs: Number.MAX_SAFE_INTEGER, signal: stopHeartbeat.signal },
  ).then((end) => {
    if (end.reason === 'lost') {
      lost = `daplaya: error: the lock on env ${end.name} was lost while the command ran${end.holder ? `: taken by ${describeHolder(end.holder, Date.now())}` : ''}; stopping the command`;
      io.err(lost);
      child.kill('SIGTERM');
    }
  });
  io.onSignal?.((sig) => child.kill(sig));

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  stopHeartbeat.abort();
  await heartbeat;

  for (const l of [...r.locks].reverse()) {
    const rel = await client.release(l.name, { lockId: l.lockId });
    if (rel.outcome === 'released') io.err(`daplaya: released env ${l.name}`);
    else if (rel.outcome === 'held-by-other') io.err(`daplaya: env ${l.name} is now held by ${describeHolder(rel.holder, Date.now())}; it was taken over while the command ran`);
    else io.err(`daplaya: env ${l.name} was no longer held at release (the lease lapsed)`);
  }
  if (exit.error) {
    io.err(`daplaya: error: could not run ${config.runArgs[0]}: ${exit.error.message}`);
    return (exit.error as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126;
  }
  if (exit.signal) return 128 + (os.constants.signals[exit.signal] ?? 0);
  const code = exit.code ?? EXIT.failure;
  return lost && code === 0 ? EXIT.failure : code;
}
