import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** One request the fake GitLab saw. */
export interface ApiRequest {
  path: string;
  query: Record<string, string>;
  jobToken: string | undefined;
  privateToken: string | undefined;
  status: number;
}

export interface FakeGitLabOptions {
  /** Project id or path (as GitLab accepts either) → the git repository standing for it. */
  projects: Record<string, string>;
  /** The CI_JOB_TOKEN the fake accepts (GitLab answers 404 for a private project to anyone else). */
  jobToken: string;
  /** A package daplaya@version on the fake npm registry, packed from this directory (holding dist/). */
  npm?: { version: string; from: string };
}

/**
 * A stand-in on 127.0.0.1 for the parts of GitLab's API the template uses to fetch
 * its CLI: `GET /api/v4/projects/:id/repository/archive.tar.gz?sha=REF&path=dist`,
 * answered with `git archive` of that commit's dist/ (as GitLab does, the archive's
 * top directory is `<project>-<ref>-dist/`), only for the right JOB-TOKEN. It also
 * serves a one-package npm registry under /npm/ for the npm path.
 */
export async function startFakeGitLab(opts: FakeGitLabOptions) {
  const requests: ApiRequest[] = [];
  let tarball: Buffer | undefined;
  if (opts.npm) {
    const pkg = mkdtempSync(path.join(os.tmpdir(), 'daplaya-npm-pkg-'));
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'daplaya', version: opts.npm.version, bin: { daplaya: 'dist/index.js' } }));
    cpSync(path.join(opts.npm.from, 'dist'), path.join(pkg, 'dist'), { recursive: true });
    const out = mkdtempSync(path.join(os.tmpdir(), 'daplaya-npm-out-'));
    execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: pkg, stdio: ['ignore', 'ignore', 'ignore'] });
    tarball = readFileSync(path.join(out, readdirSync(out).find((f) => f.endsWith('.tgz')) as string));
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const seen: ApiRequest = {
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      jobToken: req.headers['job-token'] as string | undefined,
      privateToken: req.headers['private-token'] as string | undefined,
      status: 200,
    };
    requests.push(seen);
    const send = (status: number, body: string | Buffer, type = 'application/json') => {
      seen.status = status;
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (opts.npm && tarball && url.pathname.startsWith('/npm/')) {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/npm`;
      if (url.pathname === '/npm/daplaya') {
        const v = opts.npm.version;
        return send(200, JSON.stringify({ name: 'daplaya', 'dist-tags': { latest: v }, versions: { [v]: { name: 'daplaya', version: v, dist: { tarball: `${base}/daplaya/-/daplaya-${v}.tgz` } } } }));
      }
      if (url.pathname === `/npm/daplaya/-/daplaya-${opts.npm.version}.tgz`) return send(200, tarball, 'application/octet-stream');
      return send(404, '{"error":"not found"}');
    }
    // Node decodes nothing in the path: the project's path arrives url-encoded (acme%2Fapp), as GitLab wants it.
    const m = /^\/api\/v4\/projects\/([^/]+)\/repository\/archive\.tar\.gz$/.exec(url.pathname);
    if (!m) return send(404, '{"error":"404 Not Found"}');
    const repo = opts.projects[decodeURIComponent(m[1] as string)];
    if (!repo || seen.jobToken !== opts.jobToken) return send(404, '{"message":"404 Project Not Found"}');
    const ref = url.searchParams.get('sha') ?? 'HEAD';
    const sub = url.searchParams.get('path') ?? '';
    let sha: string;
    try {
      sha = execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: repo, encoding: 'utf8' }).trim();
    } catch {
      return send(404, '{"message":"404 Commit Not Found"}');
    }
    try {
      const name = `${path.basename(repo)}-${ref}${sub ? `-${sub.replaceAll('/', '-')}` : ''}`;
      const archive = execFileSync('git', ['archive', '--format=tar.gz', `--prefix=${name}/`, sha, ...(sub ? [sub] : [])], {
        cwd: repo,
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      return send(200, archive, 'application/octet-stream');
    } catch {
      return send(404, '{"message":"404 File Not Found"}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    /** CI_API_V4_URL for the job. */
    api: `${base}/api/v4`,
    /** npm_config_registry for the job. */
    npmRegistry: `${base}/npm/`,
    requests,
    archiveRequests: () => requests.filter((r) => r.path.endsWith('/repository/archive.tar.gz')),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
