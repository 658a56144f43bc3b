// Lets a child process run the TypeScript source (src/index.ts) without a build:
// `node --experimental-transform-types --import ./test/helpers/ts-hooks.mjs src/index.ts ...`
// (Node 22.7+). Imports written as `./x.js` resolve to `./x.ts` when there is no `.js`.
import { register } from 'node:module';

register('./ts-resolve.mjs', import.meta.url);
