import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RENEWER_SETTINGS_ENV, type RenewerSettings, encodeRenewerSettings } from './settings.js';
import { type Env } from '../config/common.js';

/** Marks a renewer's command line with its record's token: `node SCRIPT --daplaya-renewer=TOKEN`. */
export const RENEWER_ARG = '--daplaya-renewer=';

/**
 * Starts the renewer as a detached process with no stdio, so it outlives the step
 * that took the lock without holding the step's output pipes open. With a token,
 * the token goes on its command line, so a later release can tell it from any
 * other process that has (or has been given) the same pid.
 */
export function startRenewer(script: string, config: RenewerSettings, env: Env, token?: string, opts: { inCallersProcessGroup?: boolean } = {}): number {
  const child = spawn(process.execPath, token ? [script, `${RENEWER_ARG}${token}`] : [script], {
    // A GitLab job's renewer stays in the job's process group, so the runner's kill of
    // the job (cancel, timeout) reaches it too; the action's must outlive pre's process.
    detached: opts.inCallersProcessGroup !== true,
    stdio: 'ignore',
    // Credentials stay out of the settings blob: the renewer derives them from `env`, which it inherits.
    env: { ...env, [RENEWER_SETTINGS_ENV]: encodeRenewerSettings(config) },
  });
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the lock renewer');
  return child.pid;
}

/** What started a renewer, as its record keeps it. */
export interface RenewerIdentity {
  pid: number;
  exec: string;
  script: string;
  token: string;
}

/**
 * Whether pid is still the renewer described: 'ours' only if its command line is
 * exactly `exec script --daplaya-renewer=token`; 'gone' if no such process (or a
 * zombie); 'unknown' where the platform gives no way to look.
 */
export function renewerState(id: RenewerIdentity): 'ours' | 'other' | 'gone' | 'unknown' {
  const want = [id.exec, id.script, `${RENEWER_ARG}${id.token}`];
  if (process.platform === 'linux') {
    let raw: string;
    try {
      raw = readFileSync(`/proc/${id.pid}/cmdline`, 'utf8');
    } catch (err) {
      const c = (err as NodeJS.ErrnoException).code;
      return c === 'ENOENT' || c === 'ESRCH' ? 'gone' : 'unknown';
    }
    if (raw === '') return 'gone'; // a zombie (or a kernel thread, which is not ours either way)
    const argv = raw.replace(/\0$/, '').split('\0');
    return argv.length === want.length && argv.every((a, i) => a === want[i]) ? 'ours' : 'other';
  }
  if (process.platform === 'win32') return 'unknown';
  // macOS and the BSDs: ps prints the command line joined by spaces.
  let out: string;
  try {
    out = execFileSync('ps', ['-ww', '-o', 'command=', '-p', String(id.pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
  } catch (err) {
    const e = err as { status?: number | null; code?: string };
    return e.status === 1 ? 'gone' : 'unknown';
  }
  if (out.trim() === '') return 'gone';
  return out.replace(/\n$/, '') === want.join(' ') ? 'ours' : 'other';
}

/**
 * Stops the renewer a record names, but only after checking the pid is that
 * renewer: SIGTERM, then (after timeoutMs, if it is still ours) SIGKILL.
 * 'not-ours' and 'unverifiable' mean nothing was signalled.
 */
export async function stopRenewer(id: RenewerIdentity, timeoutMs = 5000): Promise<'stopped' | 'gone' | 'not-ours' | 'unverifiable'> {
  const state = renewerState(id);
  if (state === 'gone') return 'gone';
  if (state === 'other') return 'not-ours';
  if (state === 'unknown') return 'unverifiable';
  try {
    process.kill(id.pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (renewerState(id) !== 'ours') return 'stopped';
    await new Promise((r) => setTimeout(r, 50));
  }
  if (renewerState(id) === 'ours') {
    try {
      process.kill(id.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  return 'stopped';
}

/**
 * Stops a renewer by pid alone and waits (briefly) for it to write its final status.
 * For a pid from a trusted source (the action's own state); a pid read from a file
 * goes through stopRenewer, which checks it first.
 */
export async function stopRenewerByPid(pid: number, timeoutMs = 5000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}
