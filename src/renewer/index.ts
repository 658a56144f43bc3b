import '../quiet-sdk-warning.js';
import { loadRenewerSettings } from './settings.js';
import { LockClient } from '../lock/client.js';
import { keepRenewed } from '../lock/renewal.js';
import { openStore } from '../store/open.js';
import { writeStatus } from './status.js';

// Entry of the detached renewer (dist/renewer/index.js): renews the job's leases
// until told to stop (SIGTERM), the lock is lost, or its lifetime runs out.
const config = loadRenewerSettings(process.env);
const controller = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => controller.abort());

let credentials;
if (config.roleToAssume) {
  const { githubRoleCredentials } = await import('../aws/web-identity.js');
  credentials = await githubRoleCredentials({
    roleArn: config.roleToAssume,
    sessionName: config.roleSessionName ?? 'daplaya-renewer',
    ...(config.store.kind === 'dynamodb' && config.store.region ? { region: config.store.region } : {}),
    ...(config.store.kind === 'dynamodb' && config.store.proxy ? { proxy: config.store.proxy } : {}),
    audience: config.audience ?? 'sts.amazonaws.com',
  });
}
const store = await openStore(config.store, credentials);
const client = new LockClient(store, config.protocol);
let lastRenewedAt: number | undefined;
writeStatus(config.statusFile, { state: 'running', pid: process.pid });
try {
  const end = await keepRenewed(client, config.locks, {
    leaseMs: config.leaseMs,
    maxLifetimeMs: config.maxLifetimeMs,
    signal: controller.signal,
    onRenewed: () => {
      lastRenewedAt = Date.now();
    },
  });
  const base = { pid: process.pid, ...(lastRenewedAt ? { lastRenewedAt } : {}) };
  if (end.reason === 'lost') {
    writeStatus(config.statusFile, { ...base, state: 'lost', lostEnv: end.name, ...(end.holder ? { takenBy: end.holder } : {}) });
  } else if (end.reason === 'unconfirmed') {
    // No renewal confirmed before the lease could pass to someone else: count it lost.
    writeStatus(config.statusFile, { ...base, state: 'lost', lostEnv: end.name, unconfirmedForMs: end.sinceMs, error: `no renewal confirmed for ${Math.round(end.sinceMs / 1000)}s` });
  } else {
    writeStatus(config.statusFile, { ...base, state: end.reason });
  }
} catch (err) {
  writeStatus(config.statusFile, { state: 'failed', pid: process.pid, error: (err as Error).message });
} finally {
  store.close?.();
}
