import type { AddressInfo } from 'node:net';
import { loadSlackConfig, type Config, type Env } from '../config.js';
import type { LockClient } from '../lock/client.js';
import { createSlackServer } from '../slack/http.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './main.js';

/** `daplaya slack serve --port N`: serve slash commands until SIGINT/SIGTERM. */
export async function serveSlack(client: LockClient, config: Config, env: Env, io: Io): Promise<number> {
  const slack = loadSlackConfig(env, config.port ?? '3000');
  const server = createSlackServer({
    signingSecret: slack.signingSecret,
    ...(slack.appId ? { appId: slack.appId } : {}),
    leaseMs: slack.leaseMs,
    client: async () => client,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(slack.port, slack.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  io.out(`daplaya slack: listening on http://${addr.address}:${addr.port}/`);
  await new Promise<void>((resolve) => {
    if (io.signal?.aborted) return resolve();
    io.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return EXIT.ok;
}
