import http from 'node:http';
import { handleSlack, type SlackDeps } from './handler.js';

const MAX_BODY = 64 * 1024;

/** `daplaya slack serve`: the slash-command handler on plain node:http. */
export function createSlackServer(deps: SlackDeps): http.Server {
  return http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'text/plain' }).end('POST slash commands here\n');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
      handleSlack({ headers, body: Buffer.concat(chunks).toString('utf8') }, deps).then(
        (r) => res.writeHead(r.status, r.headers).end(r.body),
        () => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}'),
      );
    });
  });
}
