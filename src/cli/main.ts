import { loadCliConfig, type CliConfig } from '../config/cli.js';
import { debugEnabled, type Env } from '../config/common.js';
import { DEFAULTS } from '../config/defaults.js';
import { formatDuration } from '../lock/durations.js';
import { InvalidInputError } from '../lock/errors.js';
import { LockClient, toHolder } from '../lock/client.js';
import { lockState, unreadableExpiry } from '../lock/rules.js';
import { StoreError, type LockItem, type LockStore } from '../lock/types.js';
import { RenewerRecordError, prepareRenewer, saveRenewerRecord, takeRenewerRecord } from '../renewer/record.js';
import { giveBack, jobLocks, startJobRenewer, stopJobRenewer } from '../session/job-lock.js';
import { openNotifier, type Notifier } from '../notify/notifier.js';
import { openStore } from '../store/open.js';
import { busyLine, describeHolder, expiresText, givenBackText, holderToJson, iso, itemToJson, lostText, statusLines, table, UNREADABLE_EXPIRY_HINT } from '../wording.js';
import { acquireForCli, cancelledExit, notAcquiredLine, type Io } from './acquire-for-cli.js';
import { EXIT } from './exit-codes.js';
import { HELP, helpFor } from './help.js';

export type { Io } from './acquire-for-cli.js';

export const VERSION = DEFAULTS.version;

/** Runs one CLI invocation and returns its exit code. Never throws. */
export async function main(argv: string[], env: Env, io: Io): Promise<number> {
  let store: LockStore | undefined;
  let notifier: Notifier | undefined;
  try {
    const config = loadCliConfig(argv, env);
    if (config.command === 'version') {
      io.out(VERSION);
      return EXIT.ok;
    }
    if (config.help) {
      io.out(helpFor(config.helpTopic));
      return EXIT.ok;
    }
    store = await openStore(config.store);
    io.err(`daplaya: using ${store.description}${config.store.kind === 'file' ? ' (no table configured)' : ''}`);
    notifier = openNotifier(config.notify, store, (l) => io.err(`daplaya: warning: ${l}`));
    const client = new LockClient(store, { ...config.protocol, ...(notifier ? { observer: notifier.observer } : {}) });
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
      case 'stats': {
        const { stats } = await import('./stats.js');
        return await stats(client, config, io);
      }
      case 'slack':
        if (!io.serveSlack) throw new InvalidInputError('this build has no Slack server');
        await io.serveSlack(client, { ...(config.port !== undefined ? { port: config.port } : {}), env, out: io.out, ...(io.signal ? { signal: io.signal } : {}) });
        return EXIT.ok;
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
    // Notifications still in flight get at most their timeout; the store they are recorded in closes after.
    await notifier?.settle();
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
  if (debugEnabled(env)) io.err(String(e?.stack));
  return EXIT.failure;
}

async function init(store: LockStore, io: Io): Promise<number> {
  // An existing table made by an earlier release is upgraded (indexes added, items marked): each step is a line.
  let upgraded = false;
  const created = await store.init((line) => {
    upgraded = true;
    io.out(line);
  });
  for (const note of store.initNotes ?? []) io.err(`daplaya: warning: ${note}`);
  io.out(created ? `created ${store.description}` : upgraded ? `upgraded ${store.description}` : `${store.description} already exists; nothing to do`);
  return EXIT.ok;
}

async function allHeldBy(client: LockClient, envs: string[], lockId: string): Promise<boolean> {
  for (const name of envs) if ((await client.item(name))?.owner !== lockId) return false;
  return true;
}

async function extend(client: LockClient, config: CliConfig, io: Io, word = 'extended'): Promise<number> {
  let code: number = EXIT.ok;
  for (const name of config.envs) {
    const by = config.lockIdGiven ? { lockId: config.lockId } : { user: config.user };
    const r = await client.extend(name, by, config.extendMs as number);
    if (r.renewed) {
      if (config.json) io.out(JSON.stringify({ env: name, extended: true, expiresAt: iso(r.lock.expiresAt) }));
      else io.out(`${word === 'extended' ? `extended env ${name}` : `env ${name} ${word}`}: ${expiresText(r.lock.expiresAt, Date.now())}`);
    } else {
      io.err(`daplaya: env ${name} is not held by ${'lockId' in by ? `lock id ${by.lockId}` : config.user}${r.holder ? ` (held by ${describeHolder(r.holder, Date.now())})` : ''}; nothing to extend`);
      code = EXIT.busy;
    }
  }
  return code;
}

async function lock(client: LockClient, config: CliConfig, io: Io): Promise<number> {
  if (config.extendMs !== undefined) return extend(client, config, io);
  if (config.pipelineScope && (await allHeldBy(client, config.envs, config.lockId))) {
    // A later job of the pipeline that holds the lock: give it a fresh between-jobs lease.
    return extend(client, { ...config, extendMs: config.leaseMs, lockIdGiven: true }, io, 'stays locked for this pipeline');
  }
  // The renewer's private directory is checked before anything is locked.
  const renewerFiles = config.startsRenewer && io.renewerScript ? prepareRenewer(config.lockId) : undefined;
  const r = await acquireForCli(client, config, io);
  const now = Date.now();
  if (!r.ok) {
    if (config.json) {
      io.out(JSON.stringify({ acquired: false, reason: r.reason, env: r.holder?.name ?? config.envs.join(','), holder: r.holder ? holderToJson(r.holder, Date.now()) : null, ...(r.queuedAhead ? { queuedAhead: r.queuedAhead } : {}) }));
    }
    io.err(notAcquiredLine(r, config, `gave up after --wait ${formatDuration(config.waitMs)}`));
    if (r.holder && unreadableExpiry(r.holder.expiresAt)) io.err(`daplaya: ${UNREADABLE_EXPIRY_HINT}: daplaya release --env ${r.holder.name} --force --reason TEXT`);
    return r.reason === 'cancelled' ? cancelledExit(io) : EXIT.busy;
  }
  for (const l of r.locks) if (l.tookOverFrom) io.err(`daplaya: forced env ${l.name} away from ${describeHolder(l.tookOverFrom, now)}`);
  if (renewerFiles && io.renewerScript) {
    const { statusFile, token } = renewerFiles;
    const renewer = startJobRenewer(
      { script: io.renewerScript, store: config.store, locks: jobLocks(r), leaseMs: config.leaseMs, maxLifetimeMs: config.renewerLifetimeMs, statusFile, token, inCallersProcessGroup: true },
      io.env ?? {},
    );
    saveRenewerRecord(config.lockId, { pid: renewer.pid, statusFile, token, script: io.renewerScript, exec: process.execPath });
    io.err(`daplaya: renewing the ${formatDuration(config.leaseMs)} lease in the background (pid ${renewer.pid}) until release`);
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

async function release(client: LockClient, config: CliConfig, io: Io): Promise<number> {
  let code: number = EXIT.ok;
  let record;
  try {
    record = config.lockIdGiven ? takeRenewerRecord(config.lockId) : undefined;
  } catch (err) {
    if (!(err instanceof RenewerRecordError)) throw err;
    io.err(`daplaya: warning: ${err.message}`);
  }
  if (record) {
    const { stop, status } = await stopJobRenewer({ pid: record.pid, statusFile: record.statusFile, identity: record });
    if (stop === 'not-ours') io.err(`daplaya: warning: pid ${record.pid} is not this job's lock renewer (its command line does not match the record); not signalling it`);
    if (stop === 'unverifiable') io.err(`daplaya: warning: cannot check that pid ${record.pid} is this job's lock renewer on ${process.platform}; not signalling it (it stops at its next renewal)`);
    if (status?.state === 'lost' && status.lostEnv) {
      const end = status.takenBy
        ? ({ reason: 'lost', name: status.lostEnv, holder: status.takenBy } as const)
        : status.unconfirmedForMs !== undefined
          ? ({ reason: 'unconfirmed', name: status.lostEnv, sinceMs: status.unconfirmedForMs } as const)
          : ({ reason: 'lost', name: status.lostEnv } as const);
      io.err(`daplaya: ${lostText(end, config.leaseMs, Date.now())} while the job ran`);
      code = EXIT.busy;
    }
  }
  const results: { env: string; outcome: string; holder?: ReturnType<typeof toHolder> }[] = [];
  const say = (line: string) => {
    if (!config.json) io.out(line);
  };
  if (config.force) {
    for (const name of [...config.envs].reverse()) {
      const r = await client.release(name, { user: config.user }, { ...(config.outcome ? { outcome: config.outcome } : {}), force: { user: config.user, reason: config.force.reason } });
      results.push({ env: name, outcome: r.outcome });
      if (r.outcome === 'released' && r.released && !config.json) io.err(`daplaya: forced release of env ${name} from ${describeHolder(r.released, Date.now())}`);
      say(r.outcome === 'released' ? `released env ${name}` : `env ${name} was not held; nothing to release`);
    }
  } else if (config.lockIdGiven) {
    const given = await giveBack(
      client,
      config.envs.map((name) => ({ name, lockId: config.lockId })),
      config.outcome ? { outcome: config.outcome } : {},
    );
    for (const g of given) {
      results.push({ env: g.name, outcome: g.outcome === 'released' ? 'released' : g.outcome === 'lapsed' ? 'not-held' : 'held-by-other', ...(g.outcome === 'taken-over' ? { holder: g.holder } : {}) });
      if (g.outcome === 'released') say(givenBackText(g, Date.now()));
      else if (g.outcome === 'lapsed') say(`env ${g.name} was not held by lock id ${config.lockId}; nothing to release`);
      else {
        if (!config.json) io.err(`daplaya: env ${g.name} is held by ${describeHolder(g.holder, Date.now())}, not by lock id ${config.lockId}; refusing to release it (an admin can use --force --reason TEXT)`);
        code = EXIT.busy;
      }
    }
  } else {
    // Outside CI, without a lock id: release what this user holds.
    for (const name of [...config.envs].reverse()) {
      const r = await client.release(name, { user: config.user }, config.outcome ? { outcome: config.outcome } : {});
      results.push({ env: name, outcome: r.outcome, ...(r.outcome === 'held-by-other' ? { holder: r.holder } : {}) });
      if (r.outcome === 'released') say(`released env ${name}`);
      else if (r.outcome === 'not-held') say(`env ${name} was not held by ${config.user}; nothing to release`);
      else {
        if (!config.json) io.err(`daplaya: env ${name} is held by ${describeHolder(r.holder, Date.now())}, not by ${config.user}; refusing to release it (an admin can use --force --reason TEXT)`);
        code = EXIT.busy;
      }
    }
  }
  // The exit code never depends on --json.
  if (config.json) io.out(JSON.stringify({ released: results }));
  return code;
}

/** Tells once what a read said about itself (a listing that had to scan: `daplaya init` upgrades the table). */
function sayReadNotes(store: LockStore, io: Io): void {
  for (const note of store.readNotes?.splice(0) ?? []) io.err(`daplaya: note: ${note}`);
}

async function locks(client: LockClient, config: CliConfig, io: Io): Promise<number> {
  const now = Date.now();
  // Named envs: one read each, shown whatever their state. Otherwise the listing (lock items
  // only): held, frozen and expired-but-unreleased ones; with --all every env ever locked.
  const items =
    config.envs.length > 0
      ? (await Promise.all(config.envs.map((name) => client.item(name)))).filter((i): i is LockItem => i !== undefined)
      : (await client.list()).filter((i) => (config.all ? i.owner !== undefined || i.fence > 0 : lockState(i, now, client.skewMs) !== 'free'));
  sayReadNotes(client.store, io);
  if (config.json) {
    io.out(JSON.stringify(items.map((i) => itemToJson(i, now, client.skewMs))));
    return EXIT.ok;
  }
  if (items.length === 0) {
    io.out(config.all || config.envs.length > 0 ? 'no locks' : 'no env is locked (`daplaya locks --all` lists every env ever locked)');
    return EXIT.ok;
  }
  const rows = [['ENV', 'STATE', 'HOLDER', 'SINCE', 'EXPIRES', 'FENCE', 'META']];
  for (const i of items) {
    const j = itemToJson(i, now, client.skewMs);
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

async function status(client: LockClient, config: CliConfig, io: Io): Promise<number> {
  const name = config.envs[0] as string;
  const now = Date.now();
  // One read of the item says who holds it, judged like every other reader (rules.lockState).
  const item = await client.item(name);
  const j = item ? itemToJson(item, now, client.skewMs) : { env: name, state: 'free', fence: 0 };
  const waiters = await client.waiters(name, { item });
  if (config.json) {
    const queue = waiters.map((w, i) => ({ position: i + 1, user: w.user, meta: w.meta, lockId: w.lockId, since: iso(w.enqueuedAt) }));
    io.out(JSON.stringify({ ...j, queue }));
    return EXIT.ok;
  }
  // The same words as Slack's `status` (wording.ts).
  for (const line of statusLines(name, item, waiters, now, client.skewMs)) io.out(line);
  return EXIT.ok;
}

async function waitFree(client: LockClient, config: CliConfig, io: Io): Promise<number> {
  const name = config.envs[0] as string;
  const r = await client.waitUntilFree(name, config.waitMs, (h) => io.err(busyLine(h, Date.now())), io.signal);
  if (r.free) {
    io.out(r.expired ? `env ${name} is EXPIRED: its holder's lease lapsed without a release; it can be taken over` : `env ${name} is free`);
    return EXIT.ok;
  }
  io.err(`daplaya: env ${name} is still locked${r.holder ? ` by ${describeHolder(r.holder, Date.now())}` : ''}`);
  return EXIT.busy;
}

async function history(client: LockClient, config: CliConfig, io: Io): Promise<number> {
  // The newest --limit events (newest first), read page by page: never every event to show a few.
  const { events, more } = await client.recentHistory({ ...(config.envs[0] !== undefined ? { name: config.envs[0] } : {}), ...(config.since !== undefined ? { since: config.since } : {}), limit: config.limit });
  sayReadNotes(client.store, io);
  if (more) io.err(`daplaya: the newest ${events.length} events; older ones with --limit N or --since DUR|TIME`);
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
