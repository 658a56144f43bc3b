import type { AddressInfo } from 'node:net';
import { type Env } from '../config/common.js';
import { loadSlackConfig } from '../config/slack.js';
import type { LockClient } from '../lock/client.js';
import { createSlackServer } from './http.js';

/**
 * `daplaya slack serve --port N`: serve slash commands until the signal aborts.
 * Wired into the CLI by the entry point (src/index.ts), so the CLI never imports Slack.
 */
export async function serveSlack(client: LockClient, opts: { port?: string; env: Env; out: (line: string) => void; signal?: AbortSignal }): Promise<void> {
  const slack = loadSlackConfig(opts.env, opts.port ?? '3000');
  const server = createSlackServer({
    signingSecret: slack.signingSecret,
    ...(slack.appId ? { appId: slack.appId } : {}),
    leaseMs: slack.leaseMs,
    ...(slack.admins ? { admins: slack.admins } : {}),
    ...(slack.proxy ? { proxy: slack.proxy } : {}),
    client: async () => client,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(slack.port, slack.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  opts.out(`daplaya slack: listening on http://${addr.address}:${addr.port}/`);
  await new Promise<void>((resolve) => {
    if (opts.signal?.aborted) return resolve();
    opts.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
