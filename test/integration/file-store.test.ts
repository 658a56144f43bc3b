import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStore } from '../../src/store/file.js';
import { describeStoreContract } from '../helpers/store-contract.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-file-'));
describeStoreContract('the embedded file store', async () => new FileStore(dir));
