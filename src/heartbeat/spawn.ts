import { spawn } from 'node:child_process';
import { HEARTBEAT_ENV, type Env, type HeartbeatConfig } from '../config.js';

/**
 * Starts the renewer as a detached process with no stdio, so it outlives the step
 * that took the lock without holding the step's output pipes open.
 */
export function startHeartbeat(script: string, config: HeartbeatConfig, env: Env): number {
  const child = spawn(process.execPath, [script], {
    detached: true,
    stdio: 'ignore',
    env: { ...env, [HEARTBEAT_ENV]: JSON.stringify(config) },
  });
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the lock renewer');
  return child.pid;
}

/** Stops a renewer and waits (briefly) for it to write its final status. */
export async function stopHeartbeat(pid: number, timeoutMs = 5000): Promise<void> {
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
