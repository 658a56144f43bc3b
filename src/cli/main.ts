import { HEARTBEAT_MAX_LIFETIME_MS, loadCliConfig, type Config, type Env } from '../config.js';
import { LockClient, toHolder } from '../lock/client.js';
import { isHeld, unreadableExpiry } from '../lock/rules.js';
import { formatDuration, InvalidInputError } from '../lock/names.js';
import { StoreError, type LockStore } from '../lock/types.js';
import { openStore } from '../store/open.js';
import { acquireForCli, cancelledExit, notAcquiredLine, type Io } from './acquire-for-cli.js';
import { EXIT } from './exit-codes.js';
import { busyLine, describeHolder, expiresText, iso, itemToJson, progressLine, table, UNREADABLE_EXPIRY_HINT } from './format.js';
import { HELP } from './help.js';
import { HeartbeatRecordError, prepareHeartbeat, saveHeartbeatRecord, takeHeartbeatRecord, type HeartbeatRecord } from '../heartbeat/pidfile.js';
import { startHeartbeat, stopRenewer } from '../heartbeat/spawn.js';
import { takeStatus } from '../heartbeat/status.js';

export type { Io } from './acquire-for-cli.js';

export const VERSION = '0.1.0';

/** Runs one CLI invocation and returns its exit code. Never throws. */
export async function main(argv: string[], env: Env, io: Io): Promise<number> {
  let store: LockStore | undefined;
  try {
    const config = loadCliConfig(argv, env);
    if (config.command === 'version') {
      io.out(VERSION);
      return EXIT.ok;
    }
    if (config.help) {
      io.out(HELP);
      return EXIT.ok;
    }
    store = await openStore(config.store);
    io.err(`daplaya: using ${store.description}${config.store.kind === 'file' ? ' (no table configured)' : ''}`);
    const client = new LockClient(store, {
      ...config.protocol,
      ...(config.queueTtlMs ? { queue: { ttlMs: config.queueTtlMs, refreshMs: Math.floor(config.queueTtlMs / 3) } } : {}),
    });
    switch (config.command) {
      case 'init':
        return await init(store, io);
      case 'lock':
        return await lock(client, config, io);
      case 'release':
        return await release(client, config, io);
      case 'locks':
        return await locks(client, config, io);
      case 'status':
        return await status(client, config, io);
      case 'wait':
        return await waitFree(client, config, io);
      case 'history':
        return await history(client, config, io);
      case 'slack': {
        const { serveSlack } = await import('./slack-serve.js');
        return await serveSlack(client, config, env, io);
      }
      case 'run': {
        const { runCommand } = await import('./run.js');
        return await runCommand(client, config, io);
      }
      default:
        io.out(HELP);
        return EXIT.usage;
    }
  } catch (err) {
    return reportError(err, io, env);
  } finally {
    store?.close?.();
  }
}

export function reportError(err: unknown, io: Io, env: Env = {}): number {
  if (err instanceof InvalidInputError) {
    io.err(`daplaya: error: ${err.message}`);
    return EXIT.usage;
  }
  if (err instanceof StoreError) {
    io.err(`daplaya: error: ${err.message}`);
    return EXIT.failure;
  }
  const e = err as Error;
  io.err(`daplaya: error: ${e?.message ?? String(err)}`);
  if (env.DAPLAYA_DEBUG) io.err(String(e?.stack));
  return EXIT.failure;
}

async function init(store: LockStore, io: Io): Promise<number> {
  const created = await store.init();
  io.out(created ? `created ${store.description}` : `${store.description} already exists; nothing to do`);
  return EXIT.ok;
}

async function extend(client: LockClient, config: Config, io: Io): Promise<number> {
  let code: number = EXIT.ok;
  for (const name of config.envs) {
    const by = config.lockIdGiven ? { lockId: config.lockId } : { user: config.user };
    const r = await client.extend(name, by, config.extendMs as number);
    if (r.renewed) {
      if (config.json) io.out(JSON.stringify({ env: name, extended: true, expiresAt: iso(r.lock.expiresAt) }));
      else io.out(`extended env ${name}: ${expiresText(r.lock.expiresAt, Date.now())}`);
    } else {
      io.err(`daplaya: env ${name} is not held by ${'lockId' in by ? `lock id ${by.lockId}` : config.user}${r.holder ? ` (held by ${describeHolder(r.holder, Date.now())})` : ''}; nothing to extend`);
      code = EXIT.busy;
    }
  }
  return code;
}

async function lock(client: LockClient, config: Config, io: Io): Promise<number> {
  if (config.extendMs !== undefined) return extend(client, config, io);
  // The renewer's private directory is checked before anything is locked.
  const hbFiles = config.heartbeat && io.heartbeatScript ? prepareHeartbeat(config.lockId) : undefined;
  const r = await acquireForCli(client, config, io);
  const now = Date.now();
  if (!r.ok) {
    if (config.json) io.out(JSON.stringify({ acquired: false, reason: r.reason, holder: r.holder ?? null }));
    io.err(notAcquiredLine(r, config, `gave up after --wait ${formatDuration(config.waitMs)}`));
    if (r.holder && unreadableExpiry(r.holder.expiresAt)) io.err(`daplaya: ${UNREADABLE_EXPIRY_HINT}: daplaya release --env ${r.holder.name} --force --reason TEXT`);
    return r.reason === 'cancelled' ? cancelledExit(io) : EXIT.busy;
  }
  for (const l of r.locks) if (l.tookOverFrom) io.err(`daplaya: forced env ${l.name} away from ${describeHolder(l.tookOverFrom, now)}`);
  if (hbFiles && io.heartbeatScript) {
    const { statusFile, token } = hbFiles;
    const pid = startHeartbeat(
      io.heartbeatScript,
      {
        store: config.store,
        locks: r.locks.map((l) => ({ name: l.name, lockId: l.lockId, fence: l.fence, confirmedAt: l.confirmedAt })),
        leaseMs: config.leaseMs,
        maxLifetimeMs: HEARTBEAT_MAX_LIFETIME_MS,
        statusFile,
      },
      io.env ?? {},
      token,
    );
    saveHeartbeatRecord(config.lockId, { pid, statusFile, token, script: io.heartbeatScript, exec: process.execPath });
    io.err(`daplaya: renewing the ${formatDuration(config.leaseMs)} lease in the background (pid ${pid}) until release`);
  }
  if (config.json) {
    io.out(
      JSON.stringify({
        acquired: true,
        user: config.user,
        lockId: config.lockId,
        locks: r.locks.map((l) => ({ env: l.name, fence: l.fence, waitedMs: l.waitedMs, expiresAt: iso(l.expiresAt) })),
      }),
    );
  } else {
    for (const l of r.locks) {
      io.out(`locked env ${l.name} for ${config.user} (fence ${l.fence}, ${expiresText(l.expiresAt, now)}, lock id ${config.lockId})`);
    }
  }
  return EXIT.ok;
}

async function release(client: LockClient, config: Config, io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const results = [];
  let hb: HeartbeatRecord | undefined;
  try {
    hb = config.lockIdGiven ? takeHeartbeatRecord(config.lockId) : undefined;
  } catch (err) {
    if (!(err instanceof HeartbeatRecordError)) throw err;
    io.err(`daplaya: warning: ${err.message}`);
  }
  if (hb) {
    const stopped = await stopRenewer(hb);
    if (stopped === 'not-ours') io.err(`daplaya: warning: pid ${hb.pid} is not this job's lock renewer (its command line does not match the record); not signalling it`);
    if (stopped === 'unverifiable') io.err(`daplaya: warning: cannot check that pid ${hb.pid} is this job's lock renewer on ${process.platform}; not signalling it (it stops at its next renewal)`);
    const st = takeStatus(hb.statusFile);
    if (st?.state === 'lost') {
      io.err(`daplaya: the lock on env ${st.lostEnv} was lost while the job ran${st.takenBy ? `: taken by ${describeHolder(st.takenBy, Date.now())}, fence ${st.takenBy.fence}` : ''}`);
      code = EXIT.busy;
    }
  }
  for (const name of [...config.envs].reverse()) {
    const by = config.lockIdGiven ? { lockId: config.lockId } : { user: config.user };
    const r = await client.release(name, by, {
      ...(config.outcome ? { outcome: config.outcome } : {}),
      ...(config.force ? { force: { user: config.user, reason: config.force.reason } } : {}),
    });
    if (config.force && r.outcome === 'released' && r.released && !config.json) io.err(`daplaya: forced release of env ${name} from ${describeHolder(r.released, Date.now())}`);
    results.push({ env: name, outcome: r.outcome, holder: r.outcome === 'held-by-other' ? r.holder : undefined });
    // The exit code never depends on --json.
    if (r.outcome === 'held-by-other') code = EXIT.busy;
    if (config.json) continue;
    if (r.outcome === 'released') io.out(`released env ${name}`);
    else if (r.outcome === 'not-held') io.out(`env ${name} was not held by ${'lockId' in by ? `lock id ${by.lockId}` : config.user}; nothing to release`);
    else {
      io.err(`daplaya: env ${name} is held by ${describeHolder(r.holder, Date.now())}, not by ${'lockId' in by ? `lock id ${by.lockId}` : config.user}; refusing to release it (an admin can use --force --reason TEXT)`);
      code = EXIT.busy;
    }
    if (r.outcome === 'held-by-other') code = EXIT.busy;
  }
  if (config.json) io.out(JSON.stringify({ released: results }));
  return code;
}

async function locks(client: LockClient, config: Config, io: Io): Promise<number> {
  const now = Date.now();
  let items = await client.list();
  if (config.envs.length > 0) items = items.filter((i) => config.envs.includes(i.name));
  if (config.json) {
    io.out(JSON.stringify(items.map((i) => itemToJson(i, now))));
    return EXIT.ok;
  }
  if (items.length === 0) {
    io.out('no locks');
    return EXIT.ok;
  }
  const rows = [['ENV', 'STATE', 'HOLDER', 'SINCE', 'EXPIRES', 'FENCE', 'META']];
  for (const i of items) {
    const j = itemToJson(i, now);
    rows.push([
      j.env,
      j.state.toUpperCase(),
      j.user ?? '-',
      j.since ?? '-',
      i.owner !== undefined ? expiresText(i.expiresAt, now) : '-',
      String(j.fence),
      j.meta ?? '',
    ]);
  }
  io.out(table(rows));
  return EXIT.ok;
}

async function status(client: LockClient, config: Config, io: Io): Promise<number> {
  const name = config.envs[0] as string;
  const now = Date.now();
  const item = await client.item(name);
  const j = item ? itemToJson(item, now) : { env: name, state: 'free', fence: 0 };
  if (config.json) {
    const queue = (await client.waiters(name)).map((w, i) => ({ position: i + 1, user: w.user, meta: w.meta, lockId: w.lockId, since: iso(w.enqueuedAt) }));
    io.out(JSON.stringify({ ...j, queue }));
    return EXIT.ok;
  }
  // The item just read says who holds it: no second read.
  const holder = isHeld(item, now) ? toHolder(item) : undefined;
  if (holder) io.out(`env ${name} is ${holder.uberlock ? 'UBERLOCKED (frozen)' : 'locked'} by ${describeHolder(holder, now)}, fence ${holder.fence}`);
  else io.out(`env ${name} is free${item?.lastUser ? ` (last held by ${item.lastUser}${item.releasedAt ? `, released ${iso(item.releasedAt)}` : ''})` : ''}`);
  if (holder && unreadableExpiry(holder.expiresAt)) io.out(`  ${UNREADABLE_EXPIRY_HINT}: daplaya release --env ${name} --force --reason TEXT`);
  if (item?.forcedBy && holder) io.out(`  taken by force from ${item.forcedFrom || 'nobody'}: ${item.forceReason}`);
  const waiters = await client.waiters(name);
  waiters.forEach((w, i) => io.out(`  #${i + 1} in queue: ${w.user} (${w.meta}, waiting ${formatDuration(now - w.enqueuedAt)})`));
  return EXIT.ok;
}

async function waitFree(client: LockClient, config: Config, io: Io): Promise<number> {
  const name = config.envs[0] as string;
  const r = await client.waitUntilFree(name, config.waitMs, (h) => io.err(busyLine(h, Date.now())), io.signal);
  if (r.free) {
    io.out(`env ${name} is free`);
    return EXIT.ok;
  }
  io.err(`daplaya: env ${name} is still locked${r.holder ? ` by ${describeHolder(r.holder, Date.now())}` : ''}`);
  return EXIT.busy;
}

async function history(client: LockClient, config: Config, io: Io): Promise<number> {
  const events = await client.historyOf(config.envs[0]);
  if (config.json) {
    io.out(JSON.stringify(events.map(({ keepUntil: _k, id: _i, ...e }) => ({ ...e, at: iso(e.at) }))));
    return EXIT.ok;
  }
  if (events.length === 0) {
    io.out('no history');
    return EXIT.ok;
  }
  const rows = [['WHEN', 'ENV', 'EVENT', 'USER', 'FENCE', 'WAITED', 'HELD', 'DETAIL']];
  for (const e of events) {
    const detail =
      e.kind === 'released' ? e.outcome ?? '' : e.kind === 'forced' || e.kind === 'force-released' ? `by ${e.by} from ${e.from}: ${e.reason}` : e.kind === 'acquired' ? `${e.uberlock ? 'UBERLOCK ' : ''}${e.meta ?? ''}` : '';
    rows.push([
      iso(e.at),
      e.name,
      e.kind,
      e.user,
      e.fence !== undefined ? String(e.fence) : '',
      e.waitedMs !== undefined ? formatDuration(e.waitedMs) : '',
      e.heldMs !== undefined ? formatDuration(e.heldMs) : '',
      detail,
    ]);
  }
  io.out(table(rows));
  return EXIT.ok;
}
