import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT } from './cli.js';

/**
 * A throwaway git repository holding the template and component exactly as shipped,
 * plus a pipeline; gitlab-ci-local needs the included files tracked in git.
 */
export function pipelineRepo(gitlabCiYml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-gl-'));
  cpSync(path.join(ROOT, 'gitlab'), path.join(dir, 'gitlab'), { recursive: true });
  cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
  writeFileSync(path.join(dir, '.gitlab-ci.yml'), gitlabCiYml);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'dev@example.com');
  git('config', 'user.name', 'dev');
  git('remote', 'add', 'origin', 'git@gitlab.example.com:acme/app.git');
  git('add', '-A');
  git('commit', '-qm', 'pipeline');
  return dir;
}

export interface PipelineResult {
  code: number | null;
  output: string;
}

/** Runs the pipeline with gitlab-ci-local (shell executor), the CLI taken from this checkout's dist/. */
export function runPipeline(dir: string, variables: Record<string, string>, extraArgs: string[] = []): Promise<PipelineResult> {
  const bin = path.join(ROOT, 'node_modules/.bin/gitlab-ci-local');
  const args = ['--variable', `DAPLAYA_CLI=node ${CLI}`, ...extraArgs];
  for (const [k, v] of Object.entries(variables)) args.push('--variable', `${k}=${v}`);
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}
