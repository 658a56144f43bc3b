// Rebuilds dist/: one ncc bundle per entry point. CI runs this and fails if dist/ changes.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const entries = [
  ['src/index.ts', 'dist'], // the CLI: node dist/index.js, and the `daplaya` bin
  ['src/action/pre.ts', 'dist/pre'],
  ['src/action/main.ts', 'dist/main'],
  ['src/action/post.ts', 'dist/post'],
  ['src/heartbeat/index.ts', 'dist/heartbeat'],
  ['src/slack/lambda.ts', 'dist/slack-lambda'], // AWS Lambda handler: dist/slack-lambda/index.handler
];
rmSync('dist', { recursive: true, force: true });
// Two at a time: the machines have two cores.
for (let i = 0; i < entries.length; i += 2) {
  await Promise.all(
    entries.slice(i, i + 2).map(([src, out]) =>
      run('npx', ['ncc', 'build', src, '-o', out, '--target', 'es2022', '-q']).catch((err) => {
        process.stderr.write(`${err.stdout ?? ''}${err.stderr ?? ''}`);
        throw new Error(`ncc failed for ${src}`);
      }),
    ),
  );
}
