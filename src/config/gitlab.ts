import { nonEmpty, type Env } from './common.js';

/** What GitLab CI knows about a job, as defaults for the lock (the counterpart of github.ts). */

/** A GitLab job (gitlab-ci-local sets GITLAB_CI=false but the job variables are all there). */
export function isGitLabJob(env: Env): boolean {
  return env.GITLAB_CI === 'true' || (env.CI_JOB_ID !== undefined && env.CI_SERVER_HOST !== undefined && env.CI_PROJECT_ID !== undefined);
}

export interface GitLabDefaults {
  user?: string;
  meta?: string;
  /** One per job, so before_script's `lock` and after_script's `release` agree. */
  lockId?: string;
  /** How the job ended (after_script): success, failed or cancelled. */
  outcome?: string;
  /** `lock` keeps its lease renewed in the background until after_script releases it (DAPLAYA_HEARTBEAT_ENABLED=false turns that off). */
  startsRenewer: boolean;
  /** CI_JOB_TIMEOUT: the job cannot run longer, so neither does its renewer. */
  jobTimeoutMs?: number;
  /** The pipeline's own lock id (`--scope pipeline`): the same in every job of the pipeline. */
  pipelineLockId?: string;
}

export function gitlabDefaults(env: Env): GitLabDefaults | undefined {
  if (!isGitLabJob(env)) return undefined;
  const out: GitLabDefaults = { startsRenewer: !/^(false|0|no)$/i.test(env.DAPLAYA_HEARTBEAT_ENABLED ?? '') };
  const user = nonEmpty(env.GITLAB_USER_EMAIL);
  if (user) out.user = user;
  const meta = nonEmpty(env.CI_JOB_URL);
  if (meta) out.meta = meta;
  if (env.CI_JOB_ID) out.lockId = `gitlab:${env.CI_SERVER_HOST ?? 'gitlab'}:${env.CI_PROJECT_ID ?? ''}:${env.CI_JOB_ID}`;
  if (/^\d+$/.test(env.CI_PIPELINE_ID ?? '')) out.pipelineLockId = `gitlab:${env.CI_SERVER_HOST ?? 'gitlab'}:${env.CI_PROJECT_ID ?? ''}:pipeline:${env.CI_PIPELINE_ID}`;
  if (/^\d+$/.test(env.CI_JOB_TIMEOUT ?? '')) out.jobTimeoutMs = Number(env.CI_JOB_TIMEOUT) * 1000;
  const status = nonEmpty(env.CI_JOB_STATUS)?.toLowerCase();
  const outcome = status === 'canceled' ? 'cancelled' : status;
  if (outcome && ['success', 'failed', 'cancelled'].includes(outcome)) out.outcome = outcome;
  return out;
}
