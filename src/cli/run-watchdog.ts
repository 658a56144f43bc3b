import { spawn } from 'node:child_process';

/**
 * A watchdog for the command `run` starts: a small separate process, in a session of its
 * own, that holds one end of a pipe from `run`. If `run` dies without saying goodbye
 * (SIGKILL, OOM killer), the pipe closes, and the watchdog stops the command — SIGTERM,
 * then SIGKILL after the grace period — because its lease is no longer being renewed.
 * Nothing can act inside `run` after SIGKILL; this is the part that still can.
 * What remains: a SIGKILL of the watchdog too (e.g. `kill -9` of every process) leaves
 * the command running until it ends by itself.
 */
const WATCHDOG = `
const [pid, graceMs, group] = process.argv.slice(1).map(Number);
const target = group ? -pid : pid;
let said = '';
const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
const poll = setInterval(() => { if (!alive()) process.exit(0); }, 500);
process.stdin.on('data', (d) => { said += d; });
process.stdin.on('end', () => {
  if (said.includes('done')) process.exit(0);
  try { process.kill(target, 'SIGTERM'); } catch {}
  setTimeout(() => { try { process.kill(target, 'SIGKILL'); } catch {} process.exit(0); }, graceMs);
});
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});
`;

export interface Watchdog {
  /** `run` is ending normally: the watchdog leaves the command alone and exits. */
  dismiss(): void;
}

export function startWatchdog(pid: number, graceMs: number, group: boolean): Watchdog | undefined {
  try {
    const dog = spawn(process.execPath, ['-e', WATCHDOG, String(pid), String(graceMs), group ? '1' : '0'], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    dog.on('error', () => undefined);
    dog.stdin?.on('error', () => undefined);
    dog.unref();
    (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return {
      dismiss: () => {
        dog.stdin?.end('done');
      },
    };
  } catch {
    return undefined;
  }
}
