// Rebuilds dist/: one ncc bundle per entry point. CI runs this and fails if dist/ changes.
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const entries = [
  ['src/index.ts', 'dist'], // the CLI: node dist/index.js, and the `daplaya` bin
  ['src/action/index.ts', 'dist/action'], // the action's pre, main and post: one bundle, see below
  ['src/renewer/index.ts', 'dist/renewer'],
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
// action.yml runs these: one line each, starting the action bundle as the phase its file is named after.
for (const phase of ['pre', 'main', 'post']) {
  writeFileSync(`dist/action/${phase}.js`, `// The action's ${phase} phase: dist/action/index.js runs the phase named by this file.\nimport './index.js';\n`);
}
