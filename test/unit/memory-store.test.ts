import { MemoryStore } from '../../src/store/memory.js';
import { describeStoreContract } from '../helpers/store-contract.js';

describeStoreContract('the in-memory model', async () => new MemoryStore());
