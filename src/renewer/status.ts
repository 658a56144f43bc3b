import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Holder } from '../lock/client.js';

/** What a renewer leaves behind for the phase that stops it. */
export interface RenewerStatus {
  state: 'running' | 'stopped' | 'lost' | 'lifetime' | 'failed';
  pid: number;
  lastRenewedAt?: number;
  lostEnv?: string;
  takenBy?: Holder;
  /** Lost because no renewal was confirmed for this long (no holder took it yet). */
  unconfirmedForMs?: number;
  error?: string;
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

/**
 * Writes the status as a new private file (O_EXCL | O_NOFOLLOW, 0600) beside the
 * target and renames it over the target: a symlink planted at the name is
 * replaced, never written through, and a reader never sees half a status.
 */
export function writeStatus(file: string, status: RenewerStatus): void {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, 0o600);
    try {
      fchmodSync(fd, 0o600);
      writeFileSync(fd, JSON.stringify(status));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch {
    // Nowhere to report to; the lock itself is the source of truth.
    try {
      unlinkSync(tmp);
    } catch {
      // never made
    }
  }
}

/** Reads a status file, never through a symlink. */
export function readStatus(file: string | undefined): RenewerStatus | undefined {
  if (!file) return undefined;
  try {
    const fd = openSync(file, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    try {
      if (!fstatSync(fd).isFile()) return undefined;
      return JSON.parse(readFileSync(fd, 'utf8')) as RenewerStatus;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Reads a status file and removes it (unlink removes a symlink, never its target). */
export function takeStatus(file: string | undefined): RenewerStatus | undefined {
  const status = readStatus(file);
  if (file) {
    try {
      unlinkSync(file);
    } catch {
      // none
    }
  }
  return status;
}
