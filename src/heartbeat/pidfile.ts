import { createHash } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where a CLI `lock` in a CI job records its renewer, so the `release` in a later
 * shell of the same job (GitLab after_script) can stop it.
 */
export interface HeartbeatRecord {
  pid: number;
  statusFile: string;
}

function file(lockId: string, dir = os.tmpdir()): string {
  return path.join(dir, `daplaya-hb-${createHash('sha256').update(lockId).digest('hex').slice(0, 24)}.json`);
}

export function heartbeatStatusFile(lockId: string, dir = os.tmpdir()): string {
  return file(lockId, dir).replace(/\.json$/, '.status.json');
}

export function saveHeartbeatRecord(lockId: string, record: HeartbeatRecord): void {
  writeFileSync(file(lockId), JSON.stringify(record));
}

export function takeHeartbeatRecord(lockId: string): HeartbeatRecord | undefined {
  try {
    const rec = JSON.parse(readFileSync(file(lockId), 'utf8')) as HeartbeatRecord;
    unlinkSync(file(lockId));
    return rec;
  } catch {
    return undefined;
  }
}
