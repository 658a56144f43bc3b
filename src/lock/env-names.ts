import { InvalidInputError } from './errors.js';

/** Environment (lock) names: what a DynamoDB key, a file name and a shell word can all carry safely. */
export const MAX_NAME_LENGTH = 64;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function validateEnvName(name: string): string {
  if (name.length === 0) throw new InvalidInputError('env name is empty');
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError(`env name is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}`);
  }
  if (!NAME.test(name)) {
    throw new InvalidInputError(
      `env name ${JSON.stringify(name)} has characters that are not allowed: use letters, digits, '.', '_' and '-', starting with a letter or digit`,
    );
  }
  return name;
}

/** `a,b,c` → sorted, de-duplicated names: the fixed order that keeps multi-env requests deadlock-free. */
export function parseEnvList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) validateEnvName(n);
  return [...new Set(names)].sort();
}
