import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import * as pidfile from '../../src/renewer/record.js';
import { writeStatus } from '../../src/renewer/status.js';

// Issue #16 item 12: the GitLab renewer's record and status files. Nothing planted
// in TMPDIR is followed or obeyed, release signals only its own renewer, and no
// file is left behind.

const uid = process.getuid?.() ?? -1;
const LOCK_ID = 'gitlab:gitlab.example.com:5:4242';
const hash = createHash('sha256').update(LOCK_ID).digest('hex').slice(0, 24);
const BASE = os.tmpdir();
const mk = (p: string) => mkdtempSync(path.join(BASE, `daplaya-hbr-${p}-`));

let tmpdir: string;
const savedTmp = process.env.TMPDIR;
const children: ChildProcess[] = [];
beforeEach(() => {
  tmpdir = mk('tmpdir');
  process.env.TMPDIR = tmpdir; // os.tmpdir() reads it on every call
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const legacyRecord = () => path.join(tmpdir, `daplaya-hb-${hash}.json`);
const privateDir = () => path.join(tmpdir, `daplaya-${uid}`);
const privateRecord = () => path.join(privateDir(), `daplaya-hb-${hash}.json`);
const privateStatus = () => path.join(privateDir(), `daplaya-hb-${hash}.status.json`);

/** A file outside TMPDIR that a planted link points at; it must never change. */
function victim(content = 'precious\n'): string {
  const f = path.join(mk('victim'), 'victim');
  writeFileSync(f, content);
  return f;
}

/** Every path under dir, for "nothing left behind". */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

function gitlabEnv(storeDir: string): Record<string, string> {
  return {
    HOME: mk('home'),
    TMPDIR: tmpdir,
    PATH: process.env.PATH ?? '',
    CI_JOB_ID: '4242',
    CI_PROJECT_ID: '5',
    CI_SERVER_HOST: 'gitlab.example.com',
    DAPLAYA_STORE: 'file',
    DAPLAYA_STORE_DIR: storeDir,
    DAPLAYA_USER: 'dev@example.com',
  };
}

function collect(extra: Partial<Io> = {}) {
  const lines: string[] = [];
  const io: Io = { out: (l) => lines.push(`out: ${l}`), err: (l) => lines.push(`err: ${l}`), ...extra };
  return { io, lines, errors: () => lines.filter((l) => l.startsWith('err: ') && !l.startsWith('err: daplaya: using ')) };
}

async function alive(child: ChildProcess, ms = 300): Promise<boolean> {
  await new Promise((r) => setTimeout(r, ms));
  return child.exitCode === null && child.signalCode === null;
}

function sleeper(): ChildProcess {
  const c = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

describe('GitLab renewer record', () => {
  it('is not written through a symlink planted at its path (in TMPDIR or in the private directory)', () => {
    const target = victim();
    symlinkSync(target, legacyRecord());
    mkdirSync(privateDir(), { mode: 0o700 });
    symlinkSync(target, privateRecord());
    const record = { pid: 4321, statusFile: privateStatus(), token: 'a'.repeat(32), script: '/opt/daplaya/dist/renewer/index.js', exec: process.execPath };
    try {
      pidfile.saveRenewerRecord(LOCK_ID, record);
    } catch (err) {
      expect(String(err)).toMatch(/symlink|exists/); // a one-line refusal is fine too
    }
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    const st = lstatSync(privateRecord(), { throwIfNoEntry: false });
    if (st && !st.isSymbolicLink()) {
      expect(st.isFile()).toBe(true);
      expect(st.mode & 0o777).toBe(0o600);
      expect(pidfile.takeRenewerRecord(LOCK_ID)).toMatchObject({ pid: 4321 });
    }
  });

  it('is not read through a symlink, and the linked file is neither obeyed nor deleted', () => {
    const planted = JSON.stringify({ pid: 4321, statusFile: privateStatus(), token: 'a'.repeat(32), script: '/x/renewer/index.js', exec: process.execPath });
    const target = victim(planted);
    symlinkSync(target, legacyRecord());
    mkdirSync(privateDir(), { mode: 0o700 });
    symlinkSync(target, privateRecord());
    let taken;
    try {
      taken = pidfile.takeRenewerRecord(LOCK_ID);
    } catch (err) {
      expect(String(err)).toMatch(/symlink/);
    }
    expect(taken).toBeUndefined();
    expect(readFileSync(target, 'utf8')).toBe(planted);
  });

  it('lives in a private directory, refused when it is a symlink, someone else\'s or open to others', () => {
    const prep = pidfile.prepareRenewer;
    const files = prep(LOCK_ID);
    expect(path.dirname(files.statusFile)).toBe(privateDir());
    expect(files.token).toMatch(/^[0-9a-f]{32}$/);
    const st = lstatSync(privateDir());
    expect(st.isDirectory()).toBe(true);
    expect(st.mode & 0o777).toBe(0o700);

    chmodSync(privateDir(), 0o777);
    expect(() => prep(LOCK_ID)).toThrow(/mode/);
    chmodSync(privateDir(), 0o700);
    if (uid === 0) {
      chownSync(privateDir(), 65534, 65534);
      expect(() => prep(LOCK_ID)).toThrow(/owned/);
    }

    const elsewhere = mk('elsewhere');
    process.env.TMPDIR = tmpdir = mk('tmpdir2');
    symlinkSync(elsewhere, privateDir());
    expect(() => prep(LOCK_ID)).toThrow(/symlink/);
    expect(() => pidfile.saveRenewerRecord(LOCK_ID, { pid: 1, statusFile: '', token: 'a'.repeat(32), script: 's', exec: 'e' })).toThrow(/symlink/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('a status file is written atomically without following a planted symlink', () => {
    const target = victim();
    const dir = mk('status');
    const file = path.join(dir, 'st.json');
    symlinkSync(target, file);
    writeStatus(file, { state: 'running', pid: 99 });
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(lstatSync(file).isFile()).toBe(true);
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ state: 'running', pid: 99 });
    expect(readdirSync(dir)).toEqual(['st.json']);
  });
});

describe('release with a GitLab renewer record', () => {
  it('does not signal an unrelated process named in a planted record, and still releases the lock', async () => {
    const store = mk('store');
    const env = gitlabEnv(store);
    const lock = collect();
    expect(await main(['lock', '--env', 'prod'], env, lock.io), lock.lines.join('\n')).toBe(0);

    const victimProcess = sleeper();
    await new Promise((r) => victimProcess.once('spawn', r));
    const pid = victimProcess.pid as number;
    // As the issue found it: a record at the predictable TMPDIR name...
    writeFileSync(legacyRecord(), JSON.stringify({ pid, statusFile: path.join(tmpdir, 'x.status.json') }));
    // ...and the worst case: a record in the private directory itself (a stale one whose pid was reused).
    mkdirSync(privateDir(), { mode: 0o700 });
    writeFileSync(privateRecord(), JSON.stringify({ pid, statusFile: privateStatus(), token: 'b'.repeat(32), script: '/opt/daplaya/dist/renewer/index.js', exec: process.execPath }), { mode: 0o600 });

    const rel = collect();
    expect(await main(['release', '--env', 'prod'], env, rel.io), rel.lines.join('\n')).toBe(0);
    expect(rel.lines).toContain('out: released env prod');
    expect(await alive(victimProcess)).toBe(true);
    const warnings = rel.errors();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^err: daplaya: warning: .*pid ${pid}.*not`));
    expect(existsSync(privateRecord())).toBe(false);
  });

  it('stops the renewer that lock started (checked by its command line) and leaves no record or status file', async () => {
    // A stand-in renewer: a real node process that writes its status file and stops on SIGTERM.
    const scriptDir = path.join(mk('bundle'), 'renewer');
    mkdirSync(scriptDir);
    const script = path.join(scriptDir, 'index.js');
    writeFileSync(
      script,
      `const fs = require('node:fs');
const cfg = JSON.parse(process.env.DAPLAYA_RENEWER_SETTINGS);
const put = (state) => fs.writeFileSync(cfg.statusFile, JSON.stringify({ state, pid: process.pid }));
put('running');
process.on('SIGTERM', () => { put('stopped'); process.exit(0); });
setTimeout(() => process.exit(3), 60000);
`,
    );
    writeFileSync(path.join(scriptDir, 'package.json'), '{"type":"commonjs"}');
    const store = mk('store');
    const env = gitlabEnv(store);
    const lock = collect({ renewerScript: script, env });
    expect(await main(['lock', '--env', 'prod', '--lease', '1m'], env, lock.io), lock.lines.join('\n')).toBe(0);
    const m = lock.lines.join('\n').match(/in the background \(pid (\d+)\)/);
    expect(m, lock.lines.join('\n')).not.toBeNull();
    const pid = Number(m?.[1]);
    // Wait for the renewer to report in.
    for (let i = 0; i < 100 && !existsSync(privateStatus()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(privateStatus())).toBe(true);
    if (process.platform === 'linux') expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/--daplaya-renewer=[0-9a-f]{32}/);

    const rel = collect();
    expect(await main(['release', '--env', 'prod'], env, rel.io), rel.lines.join('\n')).toBe(0);
    expect(rel.errors()).toEqual([]);
    expect(rel.lines).toContain('out: released env prod');
    // Stopped: gone, or a zombie not yet reaped by this (its parent) process.
    const stopped = () => {
      try {
        process.kill(pid, 0);
      } catch {
        return true;
      }
      try {
        return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return true;
      }
    };
    for (let i = 0; i < 100 && !stopped(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stopped()).toBe(true);
    expect(tree(tmpdir).filter((p) => p.includes('daplaya-hb-'))).toEqual([]);
  });
});
