import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { CLI, ROOT } from './cli.js';

export interface PipelineRepoOptions {
  /** Also commit dist/ (see copyDist), as the daplaya project has it at every commit; the fake GitLab API serves it. */
  dist?: boolean;
  /** Runs on the files before the commit (e.g. scripts/release.mjs stamping a release). */
  beforeCommit?: (dir: string) => void;
  /** Tags the commit, as a release is tagged. */
  tag?: string;
}

/**
 * Copies this repository's dist/ as committed at HEAD into dir/dist: one consistent
 * build, where the working tree's dist/ may be half rewritten by `npm run bundle`.
 */
export function copyDist(dir: string): void {
  execFileSync('sh', ['-c', 'git -C "$1" archive --format=tar HEAD dist | tar -x -C "$2"', 'sh', ROOT, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * A throwaway git repository holding the template and component exactly as shipped,
 * plus a pipeline; gitlab-ci-local needs the included files tracked in git.
 */
export function pipelineRepo(gitlabCiYml: string, opts: PipelineRepoOptions = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-gl-'));
  cpSync(path.join(ROOT, 'gitlab'), path.join(dir, 'gitlab'), { recursive: true });
  cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
  if (opts.dist) copyDist(dir);
  writeFileSync(path.join(dir, '.gitlab-ci.yml'), gitlabCiYml);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'dev@example.com');
  git('config', 'user.name', 'dev');
  git('remote', 'add', 'origin', 'git@gitlab.example.com:acme/app.git');
  opts.beforeCommit?.(dir);
  git('add', '-A');
  git('commit', '-qm', 'pipeline');
  if (opts.tag) git('tag', opts.tag);
  return dir;
}

/** The commit gitlab-ci-local runs (CI_COMMIT_SHA, and `component.sha` of a component used at it). */
export function headSha(dir: string): string {
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
}

export interface PipelineResult {
  code: number | null;
  output: string;
}

export interface RunOptions {
  /**
   * DAPLAYA_CLI for every job: by default this checkout's dist/index.js, so the template
   * tests need no GitLab API; null sets none, so the jobs fetch the CLI as shipped.
   */
  cli?: string | null;
}

function gitlabCiLocal(dir: string, args: string[]): Promise<PipelineResult> {
  const bin = path.join(ROOT, 'node_modules/.bin/gitlab-ci-local');
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * Runs the pipeline with gitlab-ci-local on the shell executor (also for jobs that
 * name an image, as the component's job does: the tests' jobs are trusted). For such
 * a job gitlab-ci-local says CI_PROJECT_DIR=/builds/..., so the runner's per-job
 * temporary directory (where the template keeps the CLI it fetched) is given as
 * RUNNER_TEMP_PROJECT_DIR, a directory of its own.
 */
export function runPipeline(dir: string, variables: Record<string, string>, extraArgs: string[] = [], opts: RunOptions = {}): Promise<PipelineResult> {
  const cli = opts.cli === undefined ? `node ${CLI}` : opts.cli;
  const args = [
    '--force-shell-executor',
    '--ignore-predefined-vars',
    'CI_API_V4_URL,CI_JOB_TOKEN',
    '--variable',
    `RUNNER_TEMP_PROJECT_DIR=${mkdtempSync(path.join(os.tmpdir(), 'daplaya-gl-runner-tmp-'))}`,
    ...(cli === null ? [] : ['--variable', `DAPLAYA_CLI=${cli}`]),
    ...extraArgs,
  ];
  for (const [k, v] of Object.entries(variables)) args.push('--variable', `${k}=${v}`);
  return gitlabCiLocal(dir, args);
}

/** The pipeline as GitLab would build it (includes, inputs, extends and !reference resolved), by job name. */
export async function previewPipeline(dir: string): Promise<Record<string, Record<string, unknown>>> {
  const r = await gitlabCiLocal(dir, ['--preview']);
  if (r.code !== 0) throw new Error(`gitlab-ci-local --preview failed:\n${r.output}`);
  return parse(r.output.slice(r.output.indexOf('---'))) as Record<string, Record<string, unknown>>;
}
