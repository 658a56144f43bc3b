import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'pass' | 'drop-response' | 'error-500' | 'throttle' | 'delay' | 'reset';

/**
 * An HTTP proxy on 127.0.0.1 between the SDK and the engine that injects faults:
 * drop the response after the request reached the engine (the write landed, the
 * client saw a broken connection), answer 500 or a throttling error without
 * forwarding, deliver the response after the client's timeout, or reset the
 * connection before forwarding.
 */
export async function startFaultProxy(target: string, opts: { faultRate: number; delayMs: number; random?: () => number; blackholes?: boolean }) {
  const counts: Record<Fault | 'blackhole', number> = { pass: 0, 'drop-response': 0, 'error-500': 0, throttle: 0, delay: 0, reset: 0, blackhole: 0 };
  /** Requests for which this returns true (by X-Amz-Target, e.g. `DynamoDB_20120810.UpdateItem`) are accepted and never answered. */
  const control: { blackhole: (target: string) => boolean; answer: (target: string) => { status: number; type: string; message?: string } | undefined } = {
    blackhole: () => false,
    /** Answer requests for which this returns an error (e.g. an operation an engine lacks) without forwarding. */
    answer: () => undefined,
  };
  const held = new Set<http.ServerResponse>();
  const faults: Fault[] = ['drop-response', 'error-500', 'throttle', 'delay', 'reset'];
  const rnd = opts.random ?? Math.random;
  const t = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (control.blackhole(String(req.headers['x-amz-target'] ?? ''))) {
        counts.blackhole++;
        held.add(res);
        return;
      }
      const canned = control.answer(String(req.headers['x-amz-target'] ?? ''));
      if (canned) {
        const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${canned.type}`, message: canned.message ?? 'answered by the fault proxy' });
        res.writeHead(canned.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': canned.type }).end(body);
        return;
      }
      const kinds = opts.blackholes ? [...faults, 'blackhole' as const] : faults;
      const fault = rnd() < opts.faultRate ? (kinds[Math.floor(rnd() * kinds.length)] as Fault | 'blackhole') : 'pass';
      if (fault === 'blackhole') {
        // Accepted (and, half the time, forwarded so the write lands) and never answered.
        counts.blackhole++;
        held.add(res);
        if (rnd() < 0.5) {
          const fwd = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (up) => up.resume());
          fwd.on('error', () => undefined);
          fwd.end(Buffer.concat(chunks));
        }
        return;
      }
      counts[fault]++;
      if (fault === 'reset') return req.socket.destroy();
      if (fault === 'error-500' || fault === 'throttle') {
        const type = fault === 'throttle' ? 'ProvisionedThroughputExceededException' : 'InternalServerError';
        const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: 'injected by the fault proxy' });
        res.writeHead(fault === 'throttle' ? 400 : 500, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type }).end(body);
        return;
      }
      const upstream = http.request(
        { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          const body: Buffer[] = [];
          up.on('data', (c: Buffer) => body.push(c));
          up.on('end', () => {
            if (fault === 'drop-response') return req.socket.destroy();
            const send = () => {
              if (res.destroyed || req.socket.destroyed) return;
              res.writeHead(up.statusCode ?? 500, up.headers).end(Buffer.concat(body));
            };
            if (fault === 'delay') setTimeout(send, opts.delayMs);
            else send();
          });
        },
      );
      upstream.on('error', () => req.socket.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    control,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
