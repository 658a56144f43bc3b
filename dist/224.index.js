export const id = 224;
export const ids = [224];
export const modules = {

/***/ 8224:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runCommand: () => (/* binding */ runCommand)
});

// UNUSED EXPORTS: notRunnable

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/lock/backoff.ts
var backoff = __webpack_require__(819);
;// CONCATENATED MODULE: ./src/lock/renewal.ts

/**
 * The timing of a renewed lease, all measured on this process's monotonic clock from
 * the moment the last confirmed write was sent (the lease cannot have started earlier):
 *
 *   renew every lease/3 (never more than once a second);
 *   at lease − 2·grace with no confirmation, the lease counts as lost (`run` sends SIGTERM);
 *   at lease − grace, `run` sends SIGKILL;
 *   nobody else can be granted the lock before lease has passed (a taker must see the
 *   lock item unchanged for a full lease on its own monotonic clock, see lease-watch.ts).
 *
 * So the holder's command is stopped at least `grace` before another holder can enter,
 * whatever the clocks of the two machines say.
 */
function leaseTiming(leaseMs) {
    const graceMs = Math.round(Math.min(10_000, Math.max(250, leaseMs / 6)));
    return { renewEveryMs: Math.max(1000, Math.floor(leaseMs / 3)), graceMs, lostAfterMs: leaseMs - 2 * graceMs, killAfterMs: leaseMs - graceMs };
}
/**
 * Keeps short leases alive for locks held by a job. A failed renew means the lock
 * was taken over (or lapsed and was taken): that ends the renewal with the new holder.
 * A renewal that cannot be confirmed (errors, or a request that never answers) is
 * retried quickly; if none is confirmed by the loss deadline the renewal ends as
 * `unconfirmed` even while a request is still in flight.
 */
async function keepRenewed(client, locks, opts, clock = backoff/* monotonicMs */.dR) {
    const timing = leaseTiming(opts.leaseMs);
    const end = clock() + opts.maxLifetimeMs;
    const held = locks.map((l) => ({ ...l }));
    const lostAt = () => Math.min(...held.map((l) => l.confirmedAt)) + timing.lostAfterMs;
    let failures = 0;
    for (;;) {
        const oldest = Math.min(...held.map((l) => l.confirmedAt));
        const due = failures === 0 ? oldest + timing.renewEveryMs : clock() + Math.min(timing.renewEveryMs, 250 * 2 ** Math.min(failures - 1, 4));
        const wake = Math.min(due, end, lostAt());
        if (!(await (0,backoff/* sleep */.yy)(Math.max(0, wake - clock()), opts.signal)))
            return { reason: 'stopped' };
        if (clock() >= end)
            return { reason: 'lifetime' };
        const overdue = held.find((l) => clock() >= l.confirmedAt + timing.lostAfterMs);
        if (overdue)
            return { reason: 'unconfirmed', name: overdue.name, sinceMs: clock() - overdue.confirmedAt };
        if (clock() < due)
            continue;
        let failed = false;
        for (const lock of held) {
            const sentAt = clock();
            const attempt = client.renew(lock, opts.leaseMs);
            // A request that hangs must not hold the renewal past the loss deadline.
            const deadline = new AbortController();
            const outcome = await Promise.race([
                attempt.then((r) => ({ kind: 'done', r }), (err) => ({ kind: 'error', err })),
                (0,backoff/* sleep */.yy)(Math.max(0, lock.confirmedAt + timing.lostAfterMs - clock()), deadline.signal).then(() => ({ kind: 'deadline' })),
            ]);
            deadline.abort();
            if (outcome.kind === 'deadline') {
                attempt.catch(() => undefined);
                return { reason: 'unconfirmed', name: lock.name, sinceMs: clock() - lock.confirmedAt };
            }
            if (outcome.kind === 'error') {
                if (opts.signal?.aborted)
                    return { reason: 'stopped' };
                opts.onError?.(outcome.err);
                failed = true;
                continue;
            }
            const r = outcome.r;
            if (!r.renewed)
                return r.holder ? { reason: 'lost', name: lock.name, holder: r.holder } : { reason: 'lost', name: lock.name };
            lock.confirmedAt = sentAt;
            opts.onRenewed?.(lock.name, r.lock.expiresAt);
        }
        failures = failed ? failures + 1 : 0;
    }
}

// EXTERNAL MODULE: ./src/cli/acquire-for-cli.ts
var acquire_for_cli = __webpack_require__(5915);
// EXTERNAL MODULE: ./src/cli/exit-codes.ts
var exit_codes = __webpack_require__(8551);
// EXTERNAL MODULE: ./src/wording.ts
var wording = __webpack_require__(3395);
// EXTERNAL MODULE: ./src/session/job-lock.ts + 4 modules
var job_lock = __webpack_require__(3909);
;// CONCATENATED MODULE: ./src/cli/run-watchdog.ts

/**
 * A watchdog for the command `run` starts: a small separate process, in a session of its
 * own, that holds one end of a pipe from `run`. If `run` dies without saying goodbye
 * (SIGKILL, OOM killer), the pipe closes, and the watchdog stops the command — SIGTERM,
 * then SIGKILL after the grace period — because its lease is no longer being renewed.
 * Nothing can act inside `run` after SIGKILL; this is the part that still can.
 * What remains: a SIGKILL of the watchdog too (e.g. `kill -9` of every process) leaves
 * the command running until it ends by itself.
 */
const WATCHDOG = `
const [pid, graceMs, group] = process.argv.slice(1).map(Number);
const target = group ? -pid : pid;
let said = '';
const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
const poll = setInterval(() => { if (!alive()) process.exit(0); }, 500);
process.stdin.on('data', (d) => { said += d; });
process.stdin.on('end', () => {
  if (said.includes('done')) process.exit(0);
  try { process.kill(target, 'SIGTERM'); } catch {}
  setTimeout(() => { try { process.kill(target, 'SIGKILL'); } catch {} process.exit(0); }, graceMs);
});
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});
`;
function startWatchdog(pid, graceMs, group) {
    try {
        const dog = (0,external_node_child_process_.spawn)(process.execPath, ['-e', WATCHDOG, String(pid), String(graceMs), group ? '1' : '0'], {
            detached: true,
            stdio: ['pipe', 'ignore', 'ignore'],
        });
        dog.on('error', () => undefined);
        dog.stdin?.on('error', () => undefined);
        dog.unref();
        dog.stdin?.unref?.();
        return {
            dismiss: () => {
                dog.stdin?.end('done');
            },
        };
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/cli/run.ts










/**
 * `run -- CMD`: lock, run CMD with the lease renewed, release whatever happens,
 * and exit with CMD's code. Signals are passed to CMD; the release follows its exit.
 *
 * If the lease cannot be confirmed (the lock was taken over, or no renewal was
 * confirmed in time: a hung or failing DynamoDB), CMD is stopped before anyone else
 * can be granted the lock: SIGTERM at lease − 2·grace after the last confirmed write,
 * SIGKILL at lease − grace (grace = lease/6, between 250 ms and 10 s; see leaseTiming).
 */
async function runCommand(client, config, io) {
    // A command that cannot start must not cost anyone a lock (or a wait for one).
    const missing = notRunnable(config.runArgs[0], io.env?.PATH ?? '');
    if (missing) {
        io.err(`daplaya: error: ${missing}; not taking the lock`);
        return 127;
    }
    const r = await (0,acquire_for_cli/* acquireForCli */.EZ)(client, config, io);
    if (!r.ok) {
        io.err((0,acquire_for_cli/* notAcquiredLine */.G8)(r, config, 'not running the command'));
        return r.reason === 'cancelled' ? (0,acquire_for_cli/* cancelledExit */.cl)(io) : exit_codes/* EXIT */.d.busy;
    }
    const fences = r.locks.map((l) => l.fence).join(',');
    io.err(`daplaya: locked env ${config.envs.join(',')} for ${config.user} (fence ${fences}); running ${config.runArgs.join(' ')}`);
    const timing = leaseTiming(config.leaseMs);
    // In CI (no terminal) the command gets a process group of its own, so stopping it stops
    // whatever it started too; at a terminal it stays in ours, so it can read the terminal.
    const group = process.stdin.isTTY !== true;
    const stopRenewal = new AbortController();
    let lost;
    const child = (0,external_node_child_process_.spawn)(config.runArgs[0], config.runArgs.slice(1), {
        stdio: 'inherit',
        detached: group,
        env: { ...(io.env ?? {}), DAPLAYA_FENCE: fences, DAPLAYA_LOCK_ID: config.lockId, DAPLAYA_LOCKED_ENV: config.envs.join(',') },
    });
    const signalChild = (sig) => {
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null)
            return;
        try {
            if (group)
                process.kill(-child.pid, sig);
            else
                child.kill(sig);
        }
        catch {
            // already gone
        }
    };
    const watchdog = child.pid !== undefined ? startWatchdog(child.pid, timing.graceMs, group) : undefined;
    let killTimer;
    const renewal = keepRenewed(client, r.locks, { leaseMs: config.leaseMs, maxLifetimeMs: Number.MAX_SAFE_INTEGER, signal: stopRenewal.signal }).then((end) => {
        if (end.reason !== 'lost' && end.reason !== 'unconfirmed')
            return;
        lost = `daplaya: error: ${(0,wording/* lostText */.kF)(end, config.leaseMs, Date.now())} while the command ran; stopping the command${end.reason === 'unconfirmed' ? ' before the lease can pass to anyone else' : ''}`;
        io.err(lost);
        signalChild('SIGTERM');
        killTimer = setTimeout(() => signalChild('SIGKILL'), timing.graceMs);
    });
    io.onSignal?.((sig) => signalChild(sig));
    const exit = await new Promise((resolve) => {
        child.on('error', (error) => resolve({ code: null, signal: null, error }));
        child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    if (killTimer)
        clearTimeout(killTimer);
    watchdog?.dismiss();
    stopRenewal.abort();
    await renewal;
    for (const g of await (0,job_lock/* giveBack */.F5)(client, r.locks))
        io.err(`daplaya: ${(0,wording/* givenBackText */.U6)(g, Date.now())}`);
    if (exit.error) {
        io.err(`daplaya: error: could not run ${config.runArgs[0]}: ${exit.error.message}`);
        return exit.error.code === 'ENOENT' ? 127 : 126;
    }
    if (exit.signal)
        return 128 + ((external_node_os_default()).constants.signals[exit.signal] ?? 0);
    const code = exit.code ?? exit_codes/* EXIT */.d.failure;
    return lost && code === 0 ? exit_codes/* EXIT */.d.failure : code;
}
/** Why `cmd` cannot be run (not found, not executable), or undefined when it can: looked up the way a shell does. */
function notRunnable(cmd, searchPath) {
    const runnable = (file) => {
        try {
            (0,external_node_fs_.accessSync)(file, external_node_fs_.constants.X_OK);
            // root passes the access check for any file; an execute bit must be set too.
            const st = (0,external_node_fs_.statSync)(file);
            return st.isFile() && (st.mode & 0o111) !== 0;
        }
        catch {
            return false;
        }
    };
    if (cmd.includes('/'))
        return runnable(cmd) ? undefined : `${cmd} is not an executable file`;
    for (const dir of searchPath.split((external_node_path_default()).delimiter))
        if (dir !== '' && runnable(external_node_path_default().join(dir, cmd)))
            return undefined;
    return `command not found: ${cmd}`;
}


/***/ })

};
