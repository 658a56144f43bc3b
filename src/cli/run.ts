import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CliConfig } from '../config/cli.js';
import type { LockClient } from '../lock/client.js';
import { leaseTiming, keepRenewed, type RenewalEnd } from '../lock/renewal.js';

import { acquireForCli, cancelledExit, notAcquiredLine, type Io } from './acquire-for-cli.js';
import { EXIT } from './exit-codes.js';
import { givenBackText, lostText } from '../wording.js';
import { giveBack } from '../session/job-lock.js';
import { startWatchdog } from './run-watchdog.js';

/**
 * `run -- CMD`: lock, run CMD with the lease renewed, release whatever happens,
 * and exit with CMD's code. Signals are passed to CMD; the release follows its exit.
 *
 * If the lease cannot be confirmed (the lock was taken over, or no renewal was
 * confirmed in time: a hung or failing DynamoDB), CMD is stopped before anyone else
 * can be granted the lock: SIGTERM at lease − 2·grace after the last confirmed write,
 * SIGKILL at lease − grace (grace = lease/6, between 250 ms and 10 s; see leaseTiming).
 */
export async function runCommand(client: LockClient, config: CliConfig, io: Io): Promise<number> {
  // A command that cannot start must not cost anyone a lock (or a wait for one).
  const missing = notRunnable(config.runArgs[0] as string, io.env?.PATH ?? '');
  if (missing) {
    io.err(`daplaya: error: ${missing}; not taking the lock`);
    return 127;
  }
  const r = await acquireForCli(client, config, io);
  if (!r.ok) {
    io.err(notAcquiredLine(r, config, 'not running the command'));
    return r.reason === 'cancelled' ? cancelledExit(io) : EXIT.busy;
  }
  const fences = r.locks.map((l) => l.fence).join(',');
  io.err(`daplaya: locked env ${config.envs.join(',')} for ${config.user} (fence ${fences}); running ${config.runArgs.join(' ')}`);

  const timing = leaseTiming(config.leaseMs);
  // In CI (no terminal) the command gets a process group of its own, so stopping it stops
  // whatever it started too; at a terminal it stays in ours, so it can read the terminal.
  const group = process.stdin.isTTY !== true;
  const stopRenewal = new AbortController();
  let lost: string | undefined;
  const child = spawn(config.runArgs[0] as string, config.runArgs.slice(1), {
    stdio: 'inherit',
    detached: group,
    env: { ...(io.env ?? {}), DAPLAYA_FENCE: fences, DAPLAYA_LOCK_ID: config.lockId, DAPLAYA_LOCKED_ENV: config.envs.join(',') },
  });
  const signalChild = (sig: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      if (group) process.kill(-child.pid, sig);
      else child.kill(sig);
    } catch {
      // already gone
    }
  };
  const watchdog = child.pid !== undefined ? startWatchdog(child.pid, timing.graceMs, group) : undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const renewal = keepRenewed(client, r.locks, { leaseMs: config.leaseMs, maxLifetimeMs: Number.MAX_SAFE_INTEGER, signal: stopRenewal.signal }).then((end: RenewalEnd) => {
    if (end.reason !== 'lost' && end.reason !== 'unconfirmed') return;
    lost = `daplaya: error: ${lostText(end, config.leaseMs, Date.now())} while the command ran; stopping the command${end.reason === 'unconfirmed' ? ' before the lease can pass to anyone else' : ''}`;
    io.err(lost);
    signalChild('SIGTERM');
    killTimer = setTimeout(() => signalChild('SIGKILL'), timing.graceMs);
  });
  io.onSignal?.((sig) => signalChild(sig));

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  if (killTimer) clearTimeout(killTimer);
  watchdog?.dismiss();
  stopRenewal.abort();
  await renewal;

  for (const g of await giveBack(client, r.locks)) io.err(`daplaya: ${givenBackText(g, Date.now())}`);
  if (exit.error) {
    io.err(`daplaya: error: could not run ${config.runArgs[0]}: ${exit.error.message}`);
    return (exit.error as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126;
  }
  if (exit.signal) return 128 + (os.constants.signals[exit.signal] ?? 0);
  const code = exit.code ?? EXIT.failure;
  return lost && code === 0 ? EXIT.failure : code;
}

/** Why `cmd` cannot be run (not found, not executable), or undefined when it can: looked up the way a shell does. */
export function notRunnable(cmd: string, searchPath: string): string | undefined {
  const runnable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      // root passes the access check for any file; an execute bit must be set too.
      const st = statSync(file);
      return st.isFile() && (st.mode & 0o111) !== 0;
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) return runnable(cmd) ? undefined : `${cmd} is not an executable file`;
  for (const dir of searchPath.split(path.delimiter)) if (dir !== '' && runnable(path.join(dir, cmd))) return undefined;
  return `command not found: ${cmd}`;
}
