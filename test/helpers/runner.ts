import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { cleanEnv, ROOT } from './cli.js';

interface ActionYaml {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; pre?: string; main: string; post?: string; 'post-if'?: string };
}

export const actionYaml = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYaml;

/** Parses the runner's file-command format: `name=value` lines and `name<<DELIM ... DELIM` blocks. */
export function parseFileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i] as string);
      out[name] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

export interface PhaseResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

/**
 * One job as the GitHub runner runs an action: each phase a separate node process,
 * inputs as INPUT_* (with action.yml defaults), state saved through GITHUB_STATE and
 * read back as STATE_* by later phases, outputs through GITHUB_OUTPUT, and a step summary file.
 */
export class Job {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-job-'));
  readonly state: Record<string, string> = {};
  readonly summaryFile = path.join(this.dir, 'summary.md');
  readonly runId = String(Math.floor(Math.random() * 1e9));

  constructor(
    readonly inputs: Record<string, string>,
    readonly jobEnv: Record<string, string>,
    readonly actor = 'octocat',
  ) {
    writeFileSync(this.summaryFile, '');
    writeFileSync(
      path.join(this.dir, 'event.json'),
      JSON.stringify({ head_commit: { author: { email: `${actor}@example.com` } }, repository: { full_name: 'acme/app' } }),
    );
  }

  env(phase: string): Record<string, string> {
    const env: Record<string, string> = cleanEnv({
      ...this.jobEnv,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTOR: this.actor,
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_RUN_ID: this.runId,
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'deploy',
      GITHUB_SERVER_URL: 'https://github.example.com',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: path.join(this.dir, 'event.json'),
      RUNNER_TEMP: this.dir,
      GITHUB_STEP_SUMMARY: this.summaryFile,
      GITHUB_STATE: path.join(this.dir, `state-${phase}`),
      GITHUB_OUTPUT: path.join(this.dir, `output-${phase}`),
    });
    writeFileSync(env.GITHUB_STATE as string, '');
    writeFileSync(env.GITHUB_OUTPUT as string, '');
    for (const [name, spec] of Object.entries(actionYaml.inputs)) {
      const v = this.inputs[name] ?? spec.default;
      if (v !== undefined) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = v;
    }
    for (const [k, v] of Object.entries(this.state)) env[`STATE_${k}`] = v;
    return env;
  }

  /** Starts a phase; `finish` collects its result and folds its saved state into the job. */
  start(phase: 'pre' | 'main' | 'post'): { child: ChildProcess; done: Promise<PhaseResult> } {
    const file = actionYaml.runs[phase];
    if (!file) throw new Error(`action.yml has no ${phase}`);
    const env = this.env(phase);
    const child = spawn(process.execPath, [path.join(ROOT, file)], { env, cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    const done = new Promise<PhaseResult>((resolve) => {
      child.on('close', (code, signal) => {
        Object.assign(this.state, parseFileCommand(readFileSync(env.GITHUB_STATE as string, 'utf8')));
        resolve({ code, signal, stdout, stderr, outputs: parseFileCommand(readFileSync(env.GITHUB_OUTPUT as string, 'utf8')) });
      });
    });
    return { child, done };
  }

  run(phase: 'pre' | 'main' | 'post'): Promise<PhaseResult> {
    return this.start(phase).done;
  }

  summary(): string {
    return readFileSync(this.summaryFile, 'utf8');
  }

  saved(): { lockId: string; heartbeatPid?: number; fences: number[] } | undefined {
    return this.state.daplaya ? JSON.parse(this.state.daplaya) : undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
