import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import { ROOT } from '../helpers/cli.js';

/** Every place that states a default agrees with the one table in src/config/defaults.ts. */
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

/** GitLab's component file is two YAML documents: the spec header, then the jobs. */
function docs(text: string): Record<string, unknown>[] {
  return text.split(/^---\s*$/m).filter((d) => d.trim() !== '').map((d) => (parse(d, { logLevel: 'error' }) ?? {}) as Record<string, unknown>);
}

describe('one table of defaults', () => {
  it('package.json and --version carry its version', async () => {
    expect(JSON.parse(read('package.json')).version).toBe(DEFAULTS.version);
    const out: string[] = [];
    expect(await main(['--version'], {}, { out: (l) => out.push(l), err: () => undefined })).toBe(0);
    expect(out).toEqual([DEFAULTS.version]);
  });

  it('action.yml states the same wait, lease and table', () => {
    const inputs = (parse(read('action.yml')) as { inputs: Record<string, { default?: string }> }).inputs;
    expect(inputs.wait?.default).toBe(DEFAULTS.actionWait);
    expect(inputs.lease?.default).toBe(DEFAULTS.actionLease);
    expect(inputs.table?.default).toBe(DEFAULTS.table);
  });

  it('the GitLab template and component state the same wait, table and release', () => {
    const texts = [read('gitlab/daplaya.gitlab-ci.yml'), read('templates/daplaya.yml')];
    for (const text of texts) {
      // Any pinned release named in them is this one.
      for (const m of text.matchAll(/daplaya@v?(\d+\.\d+\.\d+)|ref: v(\d+\.\d+\.\d+)/g)) expect(m[1] ?? m[2]).toBe(DEFAULTS.version);
      for (const d of docs(text)) {
        const vars = (d['.daplaya:lock'] as { variables?: Record<string, string> } | undefined)?.variables ?? {};
        if (vars.DAPLAYA_WAIT !== undefined && !vars.DAPLAYA_WAIT.includes('$[[')) expect(vars.DAPLAYA_WAIT).toBe(DEFAULTS.gitlabWait);
        const inputs = (d.spec as { inputs?: Record<string, { default?: unknown }> } | undefined)?.inputs;
        if (inputs) {
          expect(inputs.wait?.default).toBe(DEFAULTS.gitlabWait);
          expect(inputs.table?.default).toBe(DEFAULTS.table);
        }
      }
    }
  });
});
