import * as core from '@actions/core';
import { InvalidInputError } from '../lock/names.js';
import { StoreError } from '../lock/types.js';

/** One clear failure line for the job log; no stack traces for known causes. */
export function failAction(err: unknown): void {
  if (err instanceof InvalidInputError || err instanceof StoreError) core.setFailed(err.message);
  else {
    const e = err as Error;
    core.setFailed(e?.message ?? String(err));
    if (e?.stack) core.debug(e.stack);
  }
}
