import { readFileSync, writeFileSync } from 'node:fs';
import type { Holder } from '../lock/client.js';

/** What a renewer leaves behind for the phase that stops it. */
export interface HeartbeatStatus {
  state: 'running' | 'stopped' | 'lost' | 'lifetime' | 'failed';
  pid: number;
  lastRenewedAt?: number;
  lostEnv?: string;
  takenBy?: Holder;
  error?: string;
}

export function writeStatus(file: string, status: HeartbeatStatus): void {
  try {
    writeFileSync(file, JSON.stringify(status));
  } catch {
    // Nowhere to report to; the lock itself is the source of truth.
  }
}

export function readStatus(file: string | undefined): HeartbeatStatus | undefined {
  if (!file) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as HeartbeatStatus;
  } catch {
    return undefined;
  }
}
