#!/usr/bin/env node
// Stamps a release into the GitLab template and component, so a job runs the CLI of
// exactly that release and can check it:
//
//   node scripts/release.mjs --project your-group/daplaya [--version 1.2.3] [--tag 1.2.3]
//   node scripts/release.mjs --check [--version 1.2.3]      (in the tag pipeline: stamps match dist/?)
//
// It writes the "# release:" values of gitlab/daplaya.gitlab-ci.yml (DAPLAYA_PROJECT,
// DAPLAYA_REF, DAPLAYA_VERSION, DAPLAYA_BUNDLE_SHA256) and the component's `project`
// input default in templates/daplaya.yml. The sha256 is the bundle's: over the lines
// "<sha256 of file>  <path>" of every file under dist/, sorted by path, exactly as the
// template computes it over what it downloads (from the project or from npm).
//
// It changes no git state and publishes nothing; it prints the steps that follow.
// Run it after `npm run bundle`, on the dist/ you will commit and tag.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

/** Every file under dir/dist, as paths relative to dir ("dist/index.js"). */
function distFiles(dir) {
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out.push(r);
      else throw new Error(`${r} is neither a file nor a directory; a release bundle holds only files`);
    }
  };
  walk('dist');
  return out;
}

/** The bundle's sha256 (see the header). */
export function bundleDigest(dir) {
  if (!existsSync(path.join(dir, 'dist/index.js'))) throw new Error(`${path.join(dir, 'dist/index.js')} does not exist: run npm run bundle first`);
  const files = distFiles(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256(files.map((f) => `${sha256(readFileSync(path.join(dir, f)))}  ${f}\n`).join(''));
}

const TEMPLATE = 'gitlab/daplaya.gitlab-ci.yml';
const COMPONENT = 'templates/daplaya.yml';

/** Each `KEY: "value"  # release: name` line of text, by name. */
function stamps(text) {
  const out = {};
  for (const m of text.matchAll(/^\s*[\w-]+:\s*"([^"]*)"\s*# release: ([\w-]+)\s*$/gm)) out[m[2]] = m[1];
  return out;
}

function stamp(text, values, file) {
  let seen = 0;
  const next = text.replace(/^(\s*[\w-]+:\s*)"([^"]*)"(\s*# release: ([\w-]+)\s*)$/gm, (line, head, old, tail, name) => {
    if (!(name in values)) return line;
    seen++;
    return `${head}${JSON.stringify(values[name])}${tail}`;
  });
  if (seen !== Object.keys(values).length) throw new Error(`${file}: expected "# release:" lines for ${Object.keys(values).join(', ')}, found ${seen}`);
  return next;
}

function main() {
  const { values: a } = parseArgs({
    options: {
      dir: { type: 'string' },
      project: { type: 'string' },
      version: { type: 'string' },
      tag: { type: 'string' },
      check: { type: 'boolean' },
    },
  });
  const dir = path.resolve(a.dir ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const version = a.version ?? JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) throw new Error(`version ${JSON.stringify(version)} is not semver (x.y.z)`);
  // A CI/CD catalog release wants a plain semver tag, so the tag is the version.
  const tag = a.tag ?? version;
  const digest = bundleDigest(dir);
  const tplPath = path.join(dir, TEMPLATE);
  const compPath = path.join(dir, COMPONENT);
  const tpl = readFileSync(tplPath, 'utf8');
  const comp = readFileSync(compPath, 'utf8');

  if (a.check) {
    const s = stamps(tpl);
    const problems = [];
    if (s['bundle-sha256'] !== digest) problems.push(`DAPLAYA_BUNDLE_SHA256 is stamped ${JSON.stringify(s['bundle-sha256'] ?? '')} but dist/ now has ${digest}`);
    if (s.version !== version) problems.push(`DAPLAYA_VERSION is stamped ${JSON.stringify(s.version ?? '')}, not ${version}`);
    if (s.ref !== tag) problems.push(`DAPLAYA_REF is stamped ${JSON.stringify(s.ref ?? '')}, not the tag ${tag}`);
    if (!s.project) problems.push('DAPLAYA_PROJECT is not stamped');
    if ((stamps(comp).project ?? '') !== (s.project ?? '')) problems.push(`${COMPONENT} project ${JSON.stringify(stamps(comp).project ?? '')} differs from ${TEMPLATE} DAPLAYA_PROJECT ${JSON.stringify(s.project ?? '')}`);
    for (const p of problems) console.error(`release --check: ${p}`);
    if (problems.length) {
      console.error('release --check: run node scripts/release.mjs --project <path> and commit the result with dist/');
      process.exit(1);
    }
    console.log(`release --check: ${s.project}@${tag}, daplaya ${version}, sha256 ${digest}`);
    return;
  }

  const project = a.project ?? stamps(tpl).project ?? process.env.CI_PROJECT_PATH;
  if (!project) throw new Error('say where the daplaya project lives: --project your-group/daplaya (its path on your GitLab)');
  writeFileSync(tplPath, stamp(tpl, { project, ref: tag, version, 'bundle-sha256': digest }, TEMPLATE));
  writeFileSync(compPath, stamp(comp, { project }, COMPONENT));
  let dirty = '';
  try {
    dirty = execFileSync('git', ['status', '--porcelain', '--', 'dist'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout: nothing to warn about
  }
  console.log(`stamped ${project}@${tag}, daplaya ${version}, bundle sha256 ${digest}`);
  console.log(`  ${TEMPLATE}: DAPLAYA_PROJECT, DAPLAYA_REF, DAPLAYA_VERSION, DAPLAYA_BUNDLE_SHA256`);
  console.log(`  ${COMPONENT}: input project`);
  if (dirty) console.log('  dist/ has uncommitted changes: commit them with the stamps, or the sha256 will not match the tag');
  console.log('next:');
  console.log(`  git commit -am "Release ${version}" && git tag ${tag} && git push origin HEAD ${tag}`);
  console.log(`  npm publish    (only for DAPLAYA_SOURCE=npm: the package daplaya@${version} must exist; its dist/ must have this sha256)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    console.error(`release: ${err.message}`);
    process.exit(1);
  }
}
