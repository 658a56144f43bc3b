import { context } from '@actions/github';
import type { GithubDefaults } from '../config.js';

/** Defaults for user, meta and the lock id, from the workflow run's context. */
export function githubDefaults(): GithubDefaults {
  const payload = context.payload as { head_commit?: { author?: { email?: string } }; pusher?: { email?: string } };
  const email = payload.head_commit?.author?.email ?? payload.pusher?.email;
  const actor = context.actor || 'github-actions';
  const repo = repository();
  const runUrl = `${context.serverUrl}/${repo}/actions/runs/${Number.isNaN(context.runId) ? 0 : context.runId}`;
  return {
    user: email && email.trim() !== '' ? email : actor,
    meta: runUrl,
    lockIdPrefix: `github:${repo}:${context.runId}:${Number.isNaN(context.runAttempt) ? 1 : context.runAttempt}:${context.job ?? 'job'}`,
  };
}

function repository(): string {
  try {
    return `${context.repo.owner}/${context.repo.repo}`;
  } catch {
    return 'unknown/repo'; // context.repo throws outside a workflow run
  }
}
