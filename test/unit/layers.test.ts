import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/**
 * How the layers stack (README "Development"): the protocol (lock/) over the stores
 * (store/); configuration (config/) reads flags, inputs and environment; the job-lock
 * session (session/), the renewer process (renewer/) and the wording (wording.ts) sit
 * between; the surfaces (action/, cli/, slack/) on top, wired together only by the
 * entry point (index.ts). Read from the source's import statements.
 */
const SRC = path.join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const graph = new Map<string, string[]>();
for (const f of files(SRC)) {
  const text = readFileSync(f, 'utf8');
  const deps = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)].map((m) => {
    const spec = (m[1] ?? m[2]) as string;
    return path.relative(SRC, path.resolve(path.dirname(f), spec.replace(/\.js$/, '.ts')));
  });
  graph.set(path.relative(SRC, f), deps);
}

const layer = (file: string) => (file.includes('/') ? (file.split('/')[0] as string) : file.replace(/\.ts$/, ''));
const SURFACES = ['action', 'cli', 'slack'];

function violations(allowed: (from: string, to: string) => boolean): string[] {
  const out: string[] = [];
  for (const [from, deps] of graph) for (const to of deps) if (!allowed(layer(from), layer(to))) out.push(`${from} -> ${to}`);
  return out;
}

describe('the layers of src/', () => {
  it('reads the whole tree', () => {
    expect(graph.size).toBeGreaterThan(30);
    expect(graph.get('cli/main.ts')).toContain('session/job-lock.ts');
  });

  it('the protocol (lock/) imports nothing above it', () => {
    expect(violations((from, to) => from !== 'lock' || to === 'lock')).toEqual([]);
  });

  it('the stores import only the protocol, the network helpers and each other', () => {
    expect(violations((from, to) => from !== 'store' || ['lock', 'store', 'net'].includes(to))).toEqual([]);
  });

  it('the network helpers (net/: proxy routing, tunnels, POSTs) import nothing else of daplaya', () => {
    expect(violations((from, to) => from !== 'net' || to === 'net')).toEqual([]);
    expect(graph.get('store/dynamodb.ts')).toContain('net/tunnel.ts');
  });

  it('configuration imports no surface, session, renewer or wording', () => {
    expect(violations((from, to) => from !== 'config' || ['config', 'lock', 'store', 'net'].includes(to))).toEqual([]);
  });

  it('no surface imports another surface (the entry point composes them)', () => {
    expect(violations((from, to) => !SURFACES.includes(from) || !SURFACES.includes(to) || from === to)).toEqual([]);
  });

  it('the session and the wording import no surface', () => {
    expect(violations((from, to) => !['session', 'wording', 'renewer'].includes(from) || !SURFACES.includes(to))).toEqual([]);
  });

  it('notifications (notify/) sit under the surfaces: they import the protocol, configuration, wording and the network helpers only', () => {
    expect(violations((from, to) => from !== 'notify' || ['notify', 'lock', 'config', 'wording', 'net'].includes(to))).toEqual([]);
    expect(graph.get('cli/main.ts')).toContain('notify/notifier.ts');
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (f: string, trail: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const d of graph.get(f) ?? []) visit(d, [...trail, f]);
      state.set(f, 'done');
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
