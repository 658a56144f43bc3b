import type { Config } from '../config.js';
import type { LockClient } from '../lock/client.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './main.js';

export async function runCommand(_client: LockClient, _config: Config, io: Io): Promise<number> {
  io.err('daplaya: error: `run` is not implemented yet');
  return EXIT.failure;
}
