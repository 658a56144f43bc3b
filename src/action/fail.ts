import * as core from '@actions/core';
import { InvalidInputError } from '../lock/errors.js';
import { StoreError } from '../lock/types.js';

/** A store error in action terms: what to set is an input (or the job's env), not a CLI flag. */
export function actionMessage(err: StoreError): string {
  if (err.kind === 'no-region') return 'no AWS region: set the region input or AWS_REGION';
  return err.message.replace(/\bpass --(table|region|endpoint)\b/g, 'set the $1 input');
}

/** One clear failure line for the job log; no stack traces for known causes. */
export function failAction(err: unknown): void {
  if (err instanceof StoreError) core.setFailed(actionMessage(err));
  else if (err instanceof InvalidInputError) core.setFailed(err.message);
  else {
    const e = err as Error;
    core.setFailed(e?.message ?? String(err));
    if (e?.stack) core.debug(e.stack);
  }
}
