import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where a CLI `lock` in a CI job records its renewer, so the `release` in a later
 * shell of the same job (GitLab after_script) can stop it.
 *
 * Records and status files live in a private per-user directory under TMPDIR
 * (0700, ours, not a symlink; refused otherwise), are created exclusively
 * (O_EXCL | O_NOFOLLOW, 0600) and are never read through a symlink. The record
 * names the renewer by pid and by a random token on its command line, and
 * release signals the pid only if that process still carries the token.
 */
export interface RenewerRecord {
  pid: number;
  statusFile: string;
  /** Random, per renewer: passed on its command line (see spawn.ts), checked before signalling. */
  token: string;
  /** The renewer's command line, as started: exec script --daplaya-renewer=token. */
  script: string;
  exec: string;
}

/** A record or its directory that is not what we wrote: refused, in one line. */
export class RenewerRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenewerRecordError';
  }
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW;
const READ_FLAGS = constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK;
const MAX_RECORD_BYTES = 64 * 1024;
const TOKEN = /^[0-9a-f]{32}$/;

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
const uid = (): number | undefined => process.getuid?.();

/** The private directory for this user's renewer files (not created here). */
export function renewerDir(base = os.tmpdir()): string {
  const id = uid();
  return path.join(base, `daplaya-${id ?? os.userInfo().username}`);
}

/** Checks an existing directory is ours alone; throws RenewerRecordError otherwise. */
function checkPrivate(dir: string): void {
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) throw new RenewerRecordError(`refusing the renewer directory ${dir}: it is a symlink`);
  if (!st.isDirectory()) throw new RenewerRecordError(`refusing the renewer directory ${dir}: it is not a directory`);
  const me = uid();
  if (me === undefined) return; // Windows: no owner or mode bits to check
  if (st.uid !== me) throw new RenewerRecordError(`refusing the renewer directory ${dir}: it is owned by uid ${st.uid}, not ${me}`);
  if ((st.mode & 0o077) !== 0) throw new RenewerRecordError(`refusing the renewer directory ${dir}: its mode is ${(st.mode & 0o777).toString(8)}, not 700`);
}

/** Creates (0700) or checks the private directory and returns it. */
function ensurePrivateDir(base?: string): string {
  const dir = renewerDir(base);
  try {
    mkdirSync(dir, { mode: 0o700 });
    chmodSync(dir, 0o700);
  } catch (err) {
    if (code(err) !== 'EEXIST') throw new RenewerRecordError(`cannot create the renewer directory ${dir}: ${(err as Error).message}`);
  }
  checkPrivate(dir);
  return dir;
}

function recordName(lockId: string): string {
  return `daplaya-hb-${createHash('sha256').update(lockId).digest('hex').slice(0, 24)}`;
}

function file(lockId: string, base?: string): string {
  return path.join(renewerDir(base), `${recordName(lockId)}.json`);
}

/** Where the renewer of lockId reports (see status.ts); the directory is not checked here. */
export function renewerStatusFile(lockId: string, base?: string): string {
  return path.join(renewerDir(base), `${recordName(lockId)}.status.json`);
}

/**
 * Readies the private directory before a renewer is started: checks it (so a
 * refusal comes before anything is locked), clears a stale status file and
 * draws the renewer's token.
 */
export function prepareRenewer(lockId: string, base?: string): { statusFile: string; token: string } {
  ensurePrivateDir(base);
  const statusFile = renewerStatusFile(lockId, base);
  try {
    unlinkSync(statusFile);
  } catch {
    // none
  }
  return { statusFile, token: randomBytes(16).toString('hex') };
}

/** Creates a new 0600 file (never through a symlink); replaces an old entry of ours by unlinking it first. */
function createPrivateFile(f: string, data: string): void {
  let fd: number | undefined;
  for (let tries = 0; fd === undefined; tries++) {
    try {
      fd = openSync(f, CREATE_FLAGS, 0o600);
    } catch (err) {
      // In our own 0700 directory an existing entry is ours (a previous lock of this
      // job); unlink removes a symlink itself, never its target.
      if (code(err) !== 'EEXIST' || tries > 0) throw new RenewerRecordError(`cannot create the renewer record ${f}: ${(err as Error).message}`);
      unlinkSync(f);
    }
  }
  try {
    fchmodSync(fd, 0o600);
    writeFileSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

export function saveRenewerRecord(lockId: string, record: RenewerRecord, base?: string): void {
  ensurePrivateDir(base);
  createPrivateFile(file(lockId, base), JSON.stringify(record));
}

function validRecord(rec: unknown, statusFile: string): rec is RenewerRecord {
  const r = rec as Partial<RenewerRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    Number.isSafeInteger(r.pid) &&
    (r.pid as number) > 1 &&
    typeof r.token === 'string' &&
    TOKEN.test(r.token) &&
    typeof r.script === 'string' &&
    r.script !== '' &&
    typeof r.exec === 'string' &&
    r.exec !== '' &&
    r.statusFile === statusFile
  );
}

/**
 * Reads and removes the record of lockId's renewer: undefined when there is none,
 * RenewerRecordError (one line) when what is there is not a record we wrote.
 */
export function takeRenewerRecord(lockId: string, base?: string): RenewerRecord | undefined {
  const dir = renewerDir(base);
  try {
    lstatSync(dir);
  } catch {
    return undefined; // never created: no renewer was started here
  }
  checkPrivate(dir);
  const f = file(lockId, base);
  let fd: number;
  try {
    fd = openSync(f, READ_FLAGS);
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    if (code(err) === 'ELOOP' || code(err) === 'EMLINK') {
      unlinkSync(f);
      throw new RenewerRecordError(`ignored the renewer record ${f}: it is a symlink`);
    }
    throw new RenewerRecordError(`cannot read the renewer record ${f}: ${(err as Error).message}`);
  }
  let text: string;
  try {
    const st = fstatSync(fd);
    const me = uid();
    if (!st.isFile() || (me !== undefined && st.uid !== me) || st.size > MAX_RECORD_BYTES) {
      throw new RenewerRecordError(`ignored the renewer record ${f}: not a small regular file of ours`);
    }
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
    try {
      unlinkSync(f);
    } catch {
      // gone already
    }
  }
  let rec: unknown;
  try {
    rec = JSON.parse(text);
  } catch {
    rec = undefined;
  }
  if (!validRecord(rec, renewerStatusFile(lockId, base))) throw new RenewerRecordError(`ignored a malformed renewer record ${f}`);
  return rec;
}
