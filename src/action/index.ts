import path from 'node:path';

// The one bundle of the action's three phases. action.yml points pre, main and post at
// dist/action/pre.js, main.js and post.js, each one line that imports this bundle; the phase is the
// name of the file node was started with. (A node action gets no arguments, and the saved state
// cannot tell main from post: when main is skipped after pre, by the step's `if:` or an earlier
// failed step, post is the second phase to run.)
const phase = path.basename(process.argv[1] ?? '').replace(/\.[cm]?js$/, '');
if (phase === 'pre') await import('./pre.js');
else if (phase === 'main') await import('./main.js');
else if (phase === 'post') await import('./post.js');
else {
  process.stdout.write(`::error::daplaya action started as ${JSON.stringify(process.argv[1])}: run dist/action/pre.js, main.js or post.js\n`);
  process.exitCode = 1;
}
