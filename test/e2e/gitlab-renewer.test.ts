import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';

/**
 * The renewer a GitLab job's `lock` starts must not outlive the job: it is killed with
 * the job's process group (as the shell executor kills a cancelled or timed-out job),
 * and it never lives past CI_JOB_TIMEOUT. The job is a shell in a process group of its
 * own running the built CLI, as the runner runs before_script.
 */
function job(extra: Record<string, string>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-glr-'));
  const log = path.join(dir, 'lock.log');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    TMPDIR: dir,
    CI_JOB_ID: String(Date.now()),
    CI_PROJECT_ID: '5',
    CI_SERVER_HOST: 'gitlab.example.com',
    DAPLAYA_STORE: 'file',
    DAPLAYA_STORE_DIR: path.join(dir, 'store'),
    DAPLAYA_USER: 'dev@example.com',
    ...extra,
  };
  const shell = spawn('sh', ['-c', `"${process.execPath}" "${CLI}" lock --env prod --lease 30s 2> "${log}"; sleep 60`], { env, detached: true, stdio: 'ignore' });
  return { shell, log };
}

async function renewerPid(log: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const m = existsSync(log) ? /in the background \(pid (\d+)\)/.exec(readFileSync(log, 'utf8')) : null;
    if (m) return Number(m[1]);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no renewer started: ${existsSync(log) ? readFileSync(log, 'utf8') : 'no log'}`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

describe('the GitLab job renewer does not outlive the job', () => {
  it('dies with the job when the runner kills the job\'s process group', async () => {
    const { shell, log } = job({});
    const pid = await renewerPid(log);
    expect(alive(pid)).toBe(true);
    process.kill(-(shell.pid as number), 'SIGKILL');
    expect(await gone(pid, 3000)).toBe(true);
  });

  it('stops by itself at CI_JOB_TIMEOUT', async () => {
    const { shell, log } = job({ CI_JOB_TIMEOUT: '3' });
    try {
      const pid = await renewerPid(log);
      expect(alive(pid)).toBe(true);
      expect(await gone(pid, 8000)).toBe(true);
    } finally {
      try {
        process.kill(-(shell.pid as number), 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
});
