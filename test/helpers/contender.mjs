// One contender in the contention tests: `daplaya lock` (its own process), a critical
// section that detects any overlap with an exclusive-create marker file per env, then
// `daplaya release`. argv: cli envs(a,b) id markerDir log [rounds]
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, openSync, unlinkSync } from 'node:fs';
import path from 'node:path';

const [cli, envList, id, markerDir, log, rounds = '1', holdMs = '30'] = process.argv.slice(2);
const envs = envList.split(',');
for (let round = 0; round < Number(rounds); round++) {
  const lockId = `${id}-r${round}`;
  const lock = spawnSync(process.execPath, [cli, 'lock', '--env', envList, '--wait', '120s', '--lock-id', lockId, '--json'], { encoding: 'utf8' });
  if (lock.status !== 0) {
    appendFileSync(log, `FAIL ${lockId} lock exit ${lock.status}: ${lock.stderr.split('\n').slice(-3).join(' | ')}\n`);
    process.exit(1);
  }
  const locks = JSON.parse(lock.stdout).locks;
  const fds = [];
  for (const env of envs) {
    try {
      fds.push([openSync(path.join(markerDir, `inside-${env}`), 'wx'), env]);
    } catch {
      appendFileSync(log, `OVERLAP ${lockId} env ${env}\n`);
      process.exit(2);
    }
  }
  for (const l of locks) appendFileSync(log, `ENTER ${lockId} ${l.fence} ${l.env}\n`);
  const until = Date.now() + Number(holdMs);
  while (Date.now() < until) {
    /* hold the critical section briefly */
  }
  for (const [fd, env] of fds) {
    closeSync(fd);
    unlinkSync(path.join(markerDir, `inside-${env}`));
  }
  const release = spawnSync(process.execPath, [cli, 'release', '--env', envList, '--lock-id', lockId], { encoding: 'utf8' });
  if (release.status !== 0 || !/released env/.test(release.stdout)) {
    appendFileSync(log, `FAIL ${lockId} release exit ${release.status}: ${release.stdout} ${release.stderr}\n`);
    process.exit(1);
  }
}
