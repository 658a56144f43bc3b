// One contender in the contention tests: `daplaya lock` (its own process), a critical
// section that detects any overlap with an exclusive-create marker file, then `daplaya release`.
import { spawnSync } from 'node:child_process';
import { appendFileSync, openSync, closeSync, unlinkSync } from 'node:fs';

const [cli, env, id, marker, log, rounds = '1'] = process.argv.slice(2);
for (let round = 0; round < Number(rounds); round++) {
  const lockId = `${id}-r${round}`;
  const lock = spawnSync(process.execPath, [cli, 'lock', '--env', env, '--wait', '60s', '--lock-id', lockId, '--json'], { encoding: 'utf8' });
  if (lock.status !== 0) {
    appendFileSync(log, `FAIL ${lockId} lock exit ${lock.status}: ${lock.stderr.split('\n').slice(-3).join(' | ')}\n`);
    process.exit(1);
  }
  const fence = JSON.parse(lock.stdout).locks[0].fence;
  let fd;
  try {
    fd = openSync(marker, 'wx');
  } catch {
    appendFileSync(log, `OVERLAP ${lockId} fence ${fence}\n`);
    process.exit(2);
  }
  appendFileSync(log, `ENTER ${lockId} ${fence}\n`);
  const until = Date.now() + 30;
  while (Date.now() < until) {
    /* hold the critical section briefly */
  }
  closeSync(fd);
  unlinkSync(marker);
  const release = spawnSync(process.execPath, [cli, 'release', '--env', env, '--lock-id', lockId], { encoding: 'utf8' });
  if (release.status !== 0 || !/released env/.test(release.stdout)) {
    appendFileSync(log, `FAIL ${lockId} release exit ${release.status}: ${release.stdout} ${release.stderr}\n`);
    process.exit(1);
  }
}
