import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { LockClient } from '../../src/lock/client.js';
import { ROOT } from '../helpers/cli.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { startFakeOidc } from '../helpers/fake-oidc.js';
import { startConnectProxy, startTrap } from '../helpers/connect-proxy.js';
import { startFakeGitLab } from '../helpers/gitlab-api.js';
import { copyDist, headSha, pipelineRepo, previewPipeline, runPipeline } from '../helpers/gitlab.js';

const RELEASE = path.join(ROOT, 'scripts/release.mjs');
const JOB_TOKEN = 'job-token-0f1e2d3c';
const ROLE = 'arn:aws:iam::123456789012:role/daplaya-lock';

async function setup(opts: { keys?: boolean } = {}) {
  const store = await freshDynamoStore();
  const vars: Record<string, string> = {
    DAPLAYA_TABLE: store.config.table,
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    AWS_REGION: 'us-east-1',
    ...(opts.keys === false ? {} : { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' }),
  };
  return { client: new LockClient(store), vars, scratch: mkdtempSync(path.join(os.tmpdir(), 'daplaya-gl-scratch-')) };
}

/**
 * Runs the pipeline as shipped (no DAPLAYA_CLI): the jobs fetch the CLI from a fake
 * GitLab API serving the pipeline repository itself as project 1217 (CI_PROJECT_ID
 * under gitlab-ci-local), as the component's project when it tests itself.
 */
async function runAsShipped(dir: string, vars: Record<string, string>) {
  const api = await startFakeGitLab({ projects: { '1217': dir }, jobToken: JOB_TOKEN });
  try {
    const r = await runPipeline(dir, { ...vars, CI_API_V4_URL: api.api, CI_JOB_TOKEN: JOB_TOKEN }, [], { cli: null });
    return { ...r, fetched: api.archiveRequests() };
  } finally {
    await api.close();
  }
}

/** scripts/release.mjs on a copy of the repository, as a release would run it. */
function release(dir: string, ...args: string[]) {
  return spawnSync(process.execPath, [RELEASE, '--dir', dir, ...args], { encoding: 'utf8' });
}

/** The component's spec header (the first YAML document of templates/daplaya.yml). */
function componentSpec(): { component?: string[]; inputs: Record<string, { description?: string; default?: unknown; type?: string; regex?: string }> } {
  const docs = parseAllDocuments(readFileSync(path.join(ROOT, 'templates/daplaya.yml'), 'utf8'));
  return (docs[0]?.toJS() as { spec: ReturnType<typeof componentSpec> }).spec;
}

const COMPONENT = (inputs: string) => `
include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/daplaya@$CI_COMMIT_SHA
    inputs:
${inputs
  .trim()
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
`;

describe('GitLab: the CLI the template runs when DAPLAYA_CLI is not set', () => {
  it('the component fetches the bundle of its own commit from its own project with the job token, and locks and releases with it', async () => {
    const { client, vars, scratch } = await setup();
    const dir = pipelineRepo(
      COMPONENT(`
env: eu-prod
job: ship
stage: test
script:
  - $DAPLAYA_CLI status --env eu-prod --json > "$SCRATCH/during.json"
  - echo "bundle=$DAPLAYA_BUNDLE"`),
      { dist: true },
    );
    const api = await startFakeGitLab({ projects: { '1217': dir }, jobToken: JOB_TOKEN });
    try {
      const r = await runPipeline(dir, { ...vars, SCRATCH: scratch, CI_API_V4_URL: api.api, CI_JOB_TOKEN: JOB_TOKEN }, [], { cli: null });
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/locked env eu-prod for dev@example.com \(fence 1/);
      expect(r.output).toMatch(/released env eu-prod/);
      // One archive of dist/ at exactly the component's commit, from the component's project, with the job token.
      const sha = headSha(dir);
      const fetched = api.archiveRequests();
      expect(fetched.length).toBeGreaterThanOrEqual(1);
      for (const q of fetched) {
        expect(q).toMatchObject({ path: '/api/v4/projects/1217/repository/archive.tar.gz', query: { sha, path: 'dist' }, jobToken: JOB_TOKEN, status: 200 });
      }
      expect(r.output).toMatch(new RegExp(`daplaya: CLI bundle 1217@${sha} \\(\\d+ files, sha256 [0-9a-f]{64}\\)`));
      expect(r.output).toMatch(/bundle=\/.*\/dist\/index\.js/);
      expect(r.output).not.toContain(JOB_TOKEN);
      expect(JSON.parse(readFileSync(path.join(scratch, 'during.json'), 'utf8'))).toMatchObject({ state: 'locked', env: 'eu-prod', user: 'dev@example.com' });
      expect(await client.holder('eu-prod')).toBeUndefined();
    } finally {
      await api.close();
    }
  });

  it('behind a proxy (HTTP_PROXY): the bundle is fetched through it, and the CLI reaches DynamoDB directly when NO_PROXY names it', async () => {
    const { client, vars, scratch } = await setup();
    const dir = pipelineRepo(
      COMPONENT(`
env: eu-prod
job: ship
stage: test
script:
  - echo "bundle=$DAPLAYA_BUNDLE"`),
      { dist: true },
    );
    const api = await startFakeGitLab({ projects: { '1217': dir }, jobToken: JOB_TOKEN });
    // The API's address as the job is given it refuses direct connections: only the proxy reaches it.
    const trap = await startTrap();
    const trapPort = trap.port;
    const proxy = await startConnectProxy({ map: { [`127.0.0.1:${trapPort}`]: new URL(api.api).host } });
    try {
      const r = await runPipeline(
        dir,
        { ...vars, SCRATCH: scratch, CI_API_V4_URL: `http://127.0.0.1:${trapPort}/api/v4`, CI_JOB_TOKEN: JOB_TOKEN, HTTP_PROXY: proxy.url, NO_PROXY: new URL(inject('dynamoEndpoint')).host },
        [],
        { cli: null },
      );
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/locked env eu-prod for dev@example.com/);
      expect(api.archiveRequests().length).toBeGreaterThanOrEqual(1);
      expect(proxy.connects.length + proxy.plain.length).toBeGreaterThanOrEqual(1);
      expect(r.output).not.toContain('through proxy');
      expect(trap.hits()).toBe(0);
      expect(await client.holder('eu-prod')).toBeUndefined();
    } finally {
      await proxy.close();
      await trap.close();
      await api.close();
    }
  });

  it('the template fetches the release it was stamped with from DAPLAYA_PROJECT; a tag moved to another bundle is refused', async () => {
    const { client, vars } = await setup();
    const dir = pipelineRepo(
      `
include:
  - local: /gitlab/daplaya.gitlab-ci.yml
deploy:
  extends: .daplaya:lock
  variables:
    DAPLAYA_ENV: production
  script:
    - echo "deploying with $DAPLAYA_CLI"
`,
      {
        dist: true,
        tag: '0.1.0',
        beforeCommit: (d) => {
          const r = release(d, '--project', 'tools/daplaya', '--version', '0.1.0');
          expect(r.status, r.stderr).toBe(0);
        },
      },
    );
    const api = await startFakeGitLab({ projects: { 'tools/daplaya': dir }, jobToken: JOB_TOKEN });
    try {
      const ok = await runPipeline(dir, { ...vars, CI_API_V4_URL: api.api, CI_JOB_TOKEN: JOB_TOKEN }, [], { cli: null });
      expect(ok.code, ok.output).toBe(0);
      expect(api.archiveRequests()[0]).toMatchObject({ path: '/api/v4/projects/tools%2Fdaplaya/repository/archive.tar.gz', query: { sha: '0.1.0', path: 'dist' }, status: 200 });
      expect(ok.output).toMatch(/locked env production/);
      expect(ok.output).toMatch(/released env production/);
      expect(await client.holder('production')).toBeUndefined();

      // Someone moves the tag to a commit whose bundle differs: the stamped sha256 no longer matches.
      appendFileSync(path.join(dir, 'dist/index.js'), '\n// not the released bundle\n');
      execFileSync('git', ['commit', '-qam', 'other bundle'], { cwd: dir });
      execFileSync('git', ['tag', '-f', '0.1.0'], { cwd: dir, stdio: 'ignore' });
      const moved = await runPipeline(dir, { ...vars, CI_API_V4_URL: api.api, CI_JOB_TOKEN: JOB_TOKEN }, [], { cli: null });
      expect(moved.code).not.toBe(0);
      expect(moved.output).toMatch(/daplaya: the CLI bundle from tools\/daplaya@0\.1\.0 has sha256 [0-9a-f]{64}, not the [0-9a-f]{64} this template was released with; refusing to run it/);
      expect(moved.output).not.toMatch(/deploying with/);
      expect(await client.item('production')).toMatchObject({ lastUser: 'dev@example.com' }); // only the first run's lock
      expect((await client.historyOf('production')).filter((e) => e.kind === 'acquired')).toHaveLength(1);
    } finally {
      await api.close();
    }
  }, 240_000);

  it('a download that fails stops the job in before_script with one line naming the HTTP status and the URL, never the token', async () => {
    const { client, vars } = await setup();
    const dir = pipelineRepo(COMPONENT(`env: eu-prod\nscript: ['echo SCRIPT-RAN']`), { dist: true });
    const api = await startFakeGitLab({ projects: { '1217': dir }, jobToken: JOB_TOKEN });
    try {
      const r = await runPipeline(dir, { ...vars, CI_API_V4_URL: api.api, CI_JOB_TOKEN: 'a-token-the-project-does-not-allow' }, [], { cli: null });
      expect(r.code).not.toBe(0);
      const sha = headSha(dir);
      const line = r.output.split('\n').find((l) => l.includes('daplaya: could not fetch the CLI bundle'));
      expect(line, r.output).toMatch(
        new RegExp(`daplaya: could not fetch the CLI bundle: HTTP 404 Not Found for GET http://127\\.0\\.0\\.1:\\d+/api/v4/projects/1217/repository/archive\\.tar\\.gz\\?sha=${sha}&path=dist`),
      );
      expect(line).toMatch(/CI_JOB_TOKEN/); // says what to check
      expect(r.output).not.toContain('a-token-the-project-does-not-allow');
      expect(r.output).not.toMatch(/> SCRIPT-RAN/);
      expect(await client.holder('eu-prod')).toBeUndefined();
      expect(await client.item('eu-prod')).toBeUndefined();
    } finally {
      await api.close();
    }
  });

  it('the npm path runs daplaya@VERSION only when it matches the stamped sha256', async () => {
    const { client, vars } = await setup();
    const job = (name: string, env: string) => `
${name}:
  extends: .daplaya:lock
  variables:
    DAPLAYA_SOURCE: npm
    DAPLAYA_ENV: ${env}
  script:
    - echo "${name} script ran"
`;
    const dir = pipelineRepo(`include:\n  - local: /gitlab/daplaya.gitlab-ci.yml\n${job('good', 'npm-good')}`, {
      dist: true,
      beforeCommit: (d) => expect(release(d, '--project', 'tools/daplaya', '--version', '0.1.0').status).toBe(0),
    });
    // The genuine package, and one published under the same name and version with another bundle.
    const genuine = await startFakeGitLab({ projects: {}, jobToken: JOB_TOKEN, npm: { version: '0.1.0', from: dir } });
    const forged = mkdtempSync(path.join(os.tmpdir(), 'daplaya-forged-'));
    cpSync(path.join(dir, 'dist'), path.join(forged, 'dist'), { recursive: true });
    writeFileSync(path.join(forged, 'dist/index.js'), 'console.log("forged daplaya")\n');
    const impostor = await startFakeGitLab({ projects: {}, jobToken: JOB_TOKEN, npm: { version: '0.1.0', from: forged } });
    try {
      const cache = mkdtempSync(path.join(os.tmpdir(), 'daplaya-npm-cache-'));
      const good = await runPipeline(dir, { ...vars, npm_config_registry: genuine.npmRegistry, npm_config_cache: `${cache}/a` }, [], { cli: null });
      expect(good.code, good.output).toBe(0);
      expect(good.output).toMatch(/daplaya: CLI bundle daplaya@0\.1\.0 \(\d+ files, sha256 [0-9a-f]{64}\)/);
      expect(good.output).toMatch(/locked env npm-good/);
      expect(good.output).toMatch(/released env npm-good/);
      const bad = await runPipeline(dir, { ...vars, npm_config_registry: impostor.npmRegistry, npm_config_cache: `${cache}/b` }, [], { cli: null });
      expect(bad.code).not.toBe(0);
      expect(bad.output).toMatch(/daplaya: the CLI bundle from daplaya@0\.1\.0 has sha256 [0-9a-f]{64}, not the [0-9a-f]{64} this template was released with; refusing to run it/);
      expect(bad.output).not.toMatch(/forged daplaya/);
      expect(bad.output).not.toMatch(/good script ran/);
      expect((await client.historyOf('npm-good')).filter((e) => e.kind === 'acquired')).toHaveLength(1);
    } finally {
      await genuine.close();
      await impostor.close();
    }
  }, 240_000);

  it('scripts/release.mjs stamps version, tag, project and the bundle sha256, and --check catches a stale stamp', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-release-'));
    for (const d of ['gitlab', 'templates']) cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
    copyDist(dir);
    const unstamped = release(dir, '--check', '--version', '1.2.3');
    expect(unstamped.status).toBe(1);
    expect(unstamped.stderr).toMatch(/DAPLAYA_PROJECT is not stamped/);
    const r = release(dir, '--project', 'tools/daplaya', '--version', '1.2.3');
    expect(r.status, r.stderr).toBe(0);
    const digest = /sha256 ([0-9a-f]{64})/.exec(r.stdout)?.[1];
    expect(digest).toBeDefined();
    const tpl = readFileSync(path.join(dir, 'gitlab/daplaya.gitlab-ci.yml'), 'utf8');
    expect(tpl).toMatch(/DAPLAYA_PROJECT: "tools\/daplaya"/);
    expect(tpl).toMatch(/DAPLAYA_REF: "1\.2\.3"/);
    expect(tpl).toMatch(/DAPLAYA_VERSION: "1\.2\.3"/);
    expect(tpl).toContain(`DAPLAYA_BUNDLE_SHA256: "${digest}"`);
    const comp = parseAllDocuments(readFileSync(path.join(dir, 'templates/daplaya.yml'), 'utf8'))[0]?.toJS() as { spec: { inputs: Record<string, { default?: unknown }> } };
    expect(comp.spec.inputs.project?.default).toBe('tools/daplaya');
    expect(release(dir, '--check', '--version', '1.2.3').status).toBe(0);
    appendFileSync(path.join(dir, 'dist/index.js'), '\n// rebuilt after the stamp\n');
    const stale = release(dir, '--check', '--version', '1.2.3');
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/DAPLAYA_BUNDLE_SHA256 is stamped .* but dist\/ now has/);
  });
});

describe('GitLab component inputs', () => {
  it('every input has a description; region, lease, image, user, meta, role-arn and audience exist', () => {
    const spec = componentSpec();
    for (const [name, input] of Object.entries(spec.inputs)) expect(input.description, `input ${name}`).toMatch(/\w{3,}/);
    for (const name of ['env', 'script', 'job', 'stage', 'wait', 'lease', 'uberlock', 'table', 'region', 'user', 'meta', 'image', 'role-arn', 'audience', 'project', 'cli']) {
      expect(spec.inputs, name).toHaveProperty(name);
    }
    expect(spec.inputs.lease?.default).toBe('2m');
    expect(spec.inputs.audience?.default).toBe('sts.amazonaws.com');
    // A maintained Node LTS image (Node 20 reached end of life on 2026-04-30), not the CLI from npm.
    expect(spec.inputs.image?.default).toMatch(/^node:(22|24|26)(\.\d+)*-(alpine|slim|bookworm-slim|trixie-slim)$/);
    expect(spec.inputs.cli?.default).toBe('');
    expect(spec.component).toEqual(expect.arrayContaining(['sha']));
  });

  it('lease, user, meta, region and image reach the job', async () => {
    const { client, vars, scratch } = await setup();
    const dir = pipelineRepo(
      COMPONENT(`
env: eu-prod
lease: 5m
user: ship-bot@example.com
meta: "release 42 (\\"quoted\\")"
region: eu-west-3
image: node:24-slim
script:
  - $DAPLAYA_CLI status --env eu-prod --json > "$SCRATCH/during.json"
  - echo "region=$DAPLAYA_REGION"`),
      { dist: true },
    );
    const preview = await previewPipeline(dir);
    expect(preview.deploy?.image).toEqual({ name: 'node:24-slim' });
    const r = await runAsShipped(dir, { ...vars, SCRATCH: scratch });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/renewing the 5m lease in the background/);
    expect(r.output).toMatch(/> region=eu-west-3/);
    expect(JSON.parse(readFileSync(path.join(scratch, 'during.json'), 'utf8'))).toMatchObject({ state: 'locked', user: 'ship-bot@example.com', meta: 'release 42 ("quoted")' });
    expect(await client.holder('eu-prod')).toBeUndefined();

    const defaults = await previewPipeline(pipelineRepo(COMPONENT(`env: x\nscript: [":"]`)));
    expect(defaults.deploy?.image).toEqual({ name: componentSpec().inputs.image?.default });
  }, 240_000);
});

describe('GitLab OIDC: role-arn', () => {
  it('declares id_tokens only when role-arn is set, with the audience input', async () => {
    const dir = pipelineRepo(`
include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/daplaya@$CI_COMMIT_SHA
    inputs: { env: a, job: with-role, script: [":"], role-arn: "${ROLE}" }
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/daplaya@$CI_COMMIT_SHA
    inputs: { env: b, job: china, script: [":"], role-arn: "arn:aws-cn:iam::123456789012:role/daplaya-lock", audience: sts.amazonaws.com.cn }
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/daplaya@$CI_COMMIT_SHA
    inputs: { env: c, job: keys, script: [":"] }
`);
    const p = await previewPipeline(dir);
    expect(p['with-role']?.id_tokens).toEqual({ DAPLAYA_ID_TOKEN: { aud: 'sts.amazonaws.com' } });
    expect(p['with-role']?.variables).toMatchObject({ DAPLAYA_ROLE_ARN: ROLE });
    expect(p.china?.id_tokens).toEqual({ DAPLAYA_ID_TOKEN: { aud: 'sts.amazonaws.com.cn' } });
    expect(p.keys?.id_tokens).toBeUndefined();
  });

  it('exchanges the job ID token for the role with AssumeRoleWithWebIdentity; the job script sees neither the role nor the token', async () => {
    const { client, vars, scratch } = await setup({ keys: true });
    const oidc = await startFakeOidc();
    try {
      const dir = pipelineRepo(
        COMPONENT(`
env: oidc-prod
role-arn: ${ROLE}
lease: 10s
script:
  - |
    a=$($DAPLAYA_CLI status --env oidc-prod --json); b="$a"; n=1
    while [ "$b" = "$a" ] && [ $n -lt 60 ]; do sleep 1; b=$($DAPLAYA_CLI status --env oidc-prod --json); n=$((n+1)); done
    printf '%s' "$a" > "$SCRATCH/before.json"; printf '%s' "$b" > "$SCRATCH/during.json"; echo "status-calls=$n"
  - echo "script sees role=\${AWS_ROLE_ARN:-none} token=\${DAPLAYA_ID_TOKEN:-none} file=\${AWS_WEB_IDENTITY_TOKEN_FILE:-none}"`),
        { dist: true },
      );
      // gitlab-ci-local does not mint ID tokens: the runner's DAPLAYA_ID_TOKEN is given as a variable.
      // The static keys in the job stand for CI/CD variables the role must win over for daplaya.
      const r = await runAsShipped(dir, { ...vars, SCRATCH: scratch, DAPLAYA_ID_TOKEN: 'gitlab-oidc-jwt-for-acme-app', AWS_ENDPOINT_URL_STS: oidc.env.AWS_ENDPOINT_URL_STS });
      expect(r.code, r.output).toBe(0);
      // The lease was renewed in the background while the script polled...
      const before = JSON.parse(readFileSync(path.join(scratch, 'before.json'), 'utf8'));
      const during = JSON.parse(readFileSync(path.join(scratch, 'during.json'), 'utf8'));
      expect(before).toMatchObject({ state: 'locked', env: 'oidc-prod', fence: 1 });
      expect(during).toMatchObject({ state: 'locked', env: 'oidc-prod', fence: 1 });
      expect(Date.parse(during.expiresAt)).toBeGreaterThan(Date.parse(before.expiresAt));
      // ...by a renewer holding the role's credentials: each daplaya process assumed the role once,
      // lock, the renewer, every status, release (static keys would have spared the renewer's call).
      const statusCalls = Number(/status-calls=(\d+)/.exec(r.output)?.[1]);
      expect(oidc.stsRequests.length).toBeGreaterThanOrEqual(statusCalls + 3);
      for (const q of oidc.stsRequests) {
        expect(q).toMatchObject({ Action: 'AssumeRoleWithWebIdentity', RoleArn: ROLE, WebIdentityToken: 'gitlab-oidc-jwt-for-acme-app' });
        expect(q.RoleSessionName).toMatch(/^daplaya-1217-\d+$/);
      }
      expect(r.output).toMatch(/script sees role=none token=none file=none/);
      expect(r.output).not.toContain('gitlab-oidc-jwt-for-acme-app');
      expect(r.output).toMatch(/released env oidc-prod/);
      expect(await client.holder('oidc-prod')).toBeUndefined();
    } finally {
      await oidc.close();
    }
  });

  it('the template with .daplaya:oidc: a refused AssumeRoleWithWebIdentity fails the job before its script, and nothing is locked', async () => {
    const { client, vars } = await setup({ keys: false });
    const oidc = await startFakeOidc({ deny: true });
    try {
      const dir = pipelineRepo(
        `
include:
  - local: /gitlab/daplaya.gitlab-ci.yml
deploy:
  extends: [.daplaya:lock, .daplaya:oidc]
  variables:
    DAPLAYA_ENV: production
    DAPLAYA_ROLE_ARN: ${ROLE}
    DAPLAYA_PROJECT: "1217"
    DAPLAYA_REF: $CI_COMMIT_SHA
  script:
    - echo SCRIPT-RAN
`,
        { dist: true },
      );
      expect((await previewPipeline(dir)).deploy?.id_tokens).toEqual({ DAPLAYA_ID_TOKEN: { aud: 'sts.amazonaws.com' } });
      const r = await runAsShipped(dir, { ...vars, DAPLAYA_ID_TOKEN: 'gitlab-oidc-jwt-for-acme-app', AWS_ENDPOINT_URL_STS: oidc.env.AWS_ENDPOINT_URL_STS });
      expect(r.code).not.toBe(0);
      expect(oidc.stsRequests[0]).toMatchObject({ Action: 'AssumeRoleWithWebIdentity', RoleArn: ROLE, WebIdentityToken: 'gitlab-oidc-jwt-for-acme-app' });
      // STS refused: the line says so, and does not send the reader to the table's policy.
      expect(r.output).toMatch(/daplaya: error: AWS STS refused the role \(AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity\): check the role's trust policy/);
      expect(r.output).not.toMatch(/access denied to DynamoDB table/);
      expect(r.output).not.toMatch(/> SCRIPT-RAN/);
      expect(await client.item('production')).toBeUndefined();
    } finally {
      await oidc.close();
    }
  });

  it('a role without an ID token (the template without .daplaya:oidc) fails in one line saying what to add', async () => {
    const { client, vars } = await setup();
    const dir = pipelineRepo(`
include:
  - local: /gitlab/daplaya.gitlab-ci.yml
deploy:
  extends: .daplaya:lock
  variables:
    DAPLAYA_ENV: production
    DAPLAYA_ROLE_ARN: ${ROLE}
  script:
    - echo SCRIPT-RAN
`);
    const r = await runPipeline(dir, vars);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/daplaya: DAPLAYA_ROLE_ARN is set but the job has no DAPLAYA_ID_TOKEN: add \.daplaya:oidc to extends/);
    expect(r.output).not.toMatch(/> SCRIPT-RAN/);
    expect(await client.item('production')).toBeUndefined();
  });
});
