import os from 'node:os';
import path from 'node:path';
import { InvalidInputError } from '../lock/errors.js';

/**
 * The configuration modules (src/config/) are the only readers of flags, action inputs
 * and environment variables; everything else receives what they return.
 */

export type Env = Record<string, string | undefined>;

/** Bad usage: a flag, input or variable that cannot be used as given (exit 2). */
export class UsageError extends InvalidInputError {
  override name = 'UsageError';
}

export function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v : undefined;
}

export function isCI(env: Env): boolean {
  return /^(true|1)$/i.test(env.CI ?? '') || env.GITHUB_ACTIONS === 'true' || env.GITLAB_CI === 'true';
}

/** DAPLAYA_DEBUG: print stack traces of unexpected errors. */
export function debugEnabled(env: Env): boolean {
  return nonEmpty(env.DAPLAYA_DEBUG) !== undefined && !/^(0|false|no)$/i.test(env.DAPLAYA_DEBUG ?? '');
}

/** Where the embedded store lives unless DAPLAYA_STORE_DIR or --store-dir say otherwise. */
export function defaultStoreDir(env: Env): string {
  return path.join(env.HOME ?? os.homedir(), '.daplaya', 'locks');
}

export const MAX_META = 1000;
export const MAX_USER = 256;

export function validateText(what: string, value: string, max: number): string {
  if (value.length > max) throw new InvalidInputError(`${what} is ${value.length} characters long; the limit is ${max}`);
  return value;
}
