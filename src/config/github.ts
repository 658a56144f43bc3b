import { readFileSync } from 'node:fs';
import { nonEmpty, type Env } from './common.js';

/**
 * What a GitHub Actions run knows about a job, as defaults for the lock: read from the
 * runner's GITHUB_* variables and the event file (no @actions/github needed).
 */
export interface GithubDefaults {
  user: string;
  meta: string;
  /** repository, run, attempt and job: the same in every step of one job, different in any other. */
  lockIdPrefix: string;
  /** The workflow run's own lock id (scope run): the same in every job and every attempt of the run. */
  runLockId: string;
}

export function isGithubActions(env: Env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

export function githubDefaults(env: Env): GithubDefaults {
  const event = readEvent(env.GITHUB_EVENT_PATH);
  const email = event.head_commit?.author?.email ?? event.pusher?.email;
  const actor = nonEmpty(env.GITHUB_ACTOR) ?? 'github-actions';
  const repo = nonEmpty(env.GITHUB_REPOSITORY) ?? 'unknown/repo';
  const runId = /^\d+$/.test(env.GITHUB_RUN_ID ?? '') ? (env.GITHUB_RUN_ID as string) : '0';
  const attempt = /^\d+$/.test(env.GITHUB_RUN_ATTEMPT ?? '') ? (env.GITHUB_RUN_ATTEMPT as string) : '1';
  const server = nonEmpty(env.GITHUB_SERVER_URL) ?? 'https://github.com';
  return {
    user: email && email.trim() !== '' ? email : actor,
    meta: `${server}/${repo}/actions/runs/${runId}`,
    lockIdPrefix: `github:${repo}:${runId}:${attempt}:${nonEmpty(env.GITHUB_JOB) ?? 'job'}`,
    runLockId: `github:${repo}:${runId}:run`,
  };
}

interface PushEvent {
  head_commit?: { author?: { email?: string } };
  pusher?: { email?: string };
}

function readEvent(file: string | undefined): PushEvent {
  if (!file) return {};
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as PushEvent) : {};
  } catch {
    return {};
  }
}
