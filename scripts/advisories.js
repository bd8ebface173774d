#!/usr/bin/env node
// The dependency audit `npm audit` would give, from the lockfile, the registry's bulk advisory endpoint where it answers,
// and a committed table of advisories (scripts/advisories.json). The registry these machines reach refuses npm's
// advisory query (405), so the advisories that concern the packages installed here are also taken from the GitHub
// advisory database by hand, each with its affected ranges as the database's OSV records write them (`introduced`,
// then `fixed` or `last_affected`), and the table records the day that was done (`checked`). Every installed copy whose
// version is inside an advisory of either source is reported; each one found must be named in docs/security.md.
// The packages esbuild bundles into the operations CLI (dist/cli) are development packages to the lockfile, but they
// reach every user of the CLI inside its files: they are checked as a closure of their own, read from the bundle's
// SBOM (scripts/cli-sbom.js), and a copy inside an advisory fails as one the library installs does.
//
//   node scripts/advisories.js [--registry URL] [--table-only] [--max-age DAYS] [--sbom FILE]
//     asks URL (default: npm's configured registry, npm_config_registry, else https://registry.npmjs.org/) for the
//     advisories of every installed package and version (POST /-/npm/v1/security/advisories/bulk, as npm audit does),
//     then reports. Exit 1: a copy in what the packed library installs for its users (yaml, zod and what they pull) or
//     bundles into its CLI (the SBOM: FILE, else the checkout's dist/.ops-cli/sbom.cdx.json, built first
//     when its inputs changed), a copy docs/security.md does not name, an advisory the
//     registry reports that the table lacks, or a table checked more than DAYS days ago (30 unless given); 2: nothing of that, but the registry could not be asked (no answer,
//     or an answer other than the advisories, such as 405): the table alone was checked; 0: none of these.
//     --table-only: the table alone, the registry not asked (0 when nothing fails).
'use strict';

const { readFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { gzipSync } = require('node:zlib');

const ROOT = join(__dirname, '..');

/** A version's parts to compare: the numbers, then the prerelease identifiers (none sorts after any). */
function parse(version) {
  const [core, pre] = version.split('+')[0].split(/-(.*)/s);
  const numbers = core.split('.').map(Number);
  while (numbers.length < 3) numbers.push(0);
  if (numbers.some((n) => !Number.isInteger(n))) throw new Error(`not a version: ${version}`);
  return { numbers, pre: pre === undefined ? [] : pre.split('.') };
}

/** Semantic versioning's order: -1, 0 or 1. */
function compare(a, b) {
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.numbers[i] !== y.numbers[i]) return x.numbers[i] < y.numbers[i] ? -1 : 1;
  if (x.pre.length === 0 || y.pre.length === 0) return x.pre.length === y.pre.length ? 0 : x.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    if (x.pre[i] === undefined) return -1;
    if (y.pre[i] === undefined) return 1;
    const [p, q] = [x.pre[i], y.pre[i]];
    const [m, n] = [/^\d+$/.test(p), /^\d+$/.test(q)];
    if (p === q) continue;
    if (m && n) return Number(p) < Number(q) ? -1 : 1;
    if (m !== n) return m ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

/**
 * Whether `version` is inside an OSV range: from `introduced` ("0": the first version) up to `fixed` (excluded) or
 * `last_affected` (included); with neither, every version from `introduced` on.
 */
function affects(range, version) {
  if (range.introduced !== '0' && compare(version, range.introduced) < 0) return false;
  if (range.fixed !== undefined) return compare(version, range.fixed) < 0;
  if (range.last_affected !== undefined) return compare(version, range.last_affected) <= 0;
  return true;
}

/**
 * Whether `version` is inside a range as npm writes one (the bulk endpoint's `vulnerable_versions`, which npm's
 * audit tests with node-semver): sets joined by `||`, each a space-separated list of comparators (`<`, `<=`, `>`,
 * `>=`, `=` or none, then a version), a hyphen range `a - b`, or `*`. Any other form (x-ranges, `^`, `~`) is not read
 * but refused, so an advisory is never silently dropped.
 */
function satisfies(version, range) {
  return range.split('||').some((set) => {
    const text = set.trim().replace(/([<>=]+)\s+/g, '$1');
    if (text === '' || text === '*') return true;
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    const comparators = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : text.split(/\s+/);
    return comparators.every((comparator) => {
      const [, operator, bound] = /^(<=|>=|<|>|=)?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/.exec(comparator) ?? [];
      if (bound === undefined) throw new Error(`cannot read the range "${range}"`);
      const order = compare(version, bound);
      return { '<': order < 0, '<=': order <= 0, '>': order > 0, '>=': order >= 0 }[operator] ?? order === 0;
    });
  });
}

/** A lockfile entry's package name: its own `name` (an alias or a link says it), else the folder's. */
const nameOf = (path, entry) => entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

/** The entry `name` resolves to from the package at `from`, as Node.js looks it up: its own node_modules, then up. */
function resolve(packages, from, name) {
  const parts = from === '' ? [] : from.split('/node_modules/').map((part, i) => (i === 0 ? part.replace(/^node_modules\//, '') : part));
  for (let depth = parts.length; depth >= 0; depth--) {
    const path = ['node_modules', ...parts.slice(0, depth).flatMap((part) => [part, 'node_modules']), name].join('/');
    if (packages[path]) return path;
  }
  return undefined;
}

/**
 * The lockfile paths of what the package installs for its users: its `dependencies` (and optional ones) and, from
 * there on, every dependency, optional dependency and peer those pull. Not its own peers (cdktf, constructs and the
 * providers: the user's own choice, installed by the user) and not its devDependencies.
 */
function runtimeClosure(lock) {
  const packages = lock.packages;
  const root = packages[''] ?? {};
  const seen = new Set();
  const queue = Object.keys({ ...root.dependencies, ...root.optionalDependencies }).map((name) => ({ from: '', name }));
  while (queue.length > 0) {
    const { from, name } = queue.shift();
    const path = resolve(packages, from, name);
    if (path === undefined || seen.has(path)) continue;
    seen.add(path);
    const entry = packages[path];
    for (const next of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies }))
      queue.push({ from: path, name: next });
  }
  return [...seen].sort();
}

/**
 * Every installed copy inside an advisory's affected range: the advisory, the package, the version, the lockfile path,
 * whether it is in the runtime closure, and whether npm installed it inside another package's tarball (bundled: no
 * `overrides` reaches it).
 */
function triage(lock, table) {
  const runtime = new Set(runtimeClosure(lock));
  const hits = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.version === undefined || entry.link) continue;
    const name = nameOf(path, entry);
    for (const advisory of table.advisories) {
      if (advisory.package !== name || !advisory.ranges.some((range) => affects(range, entry.version))) continue;
      hits.push({
        id: advisory.id,
        package: name,
        version: entry.version,
        severity: advisory.severity,
        path,
        runtime: runtime.has(path),
        bundled: entry.inBundle === true,
      });
    }
  }
  return hits.sort((a, b) => a.id.localeCompare(b.id, 'en') || a.path.localeCompare(b.path, 'en'));
}

/** The bulk endpoint's request body: every installed package's name with its installed versions, as npm audit sends it. */
function bulkRequest(lock) {
  const body = {};
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.version === undefined || entry.link) continue;
    const versions = (body[nameOf(path, entry)] ??= []);
    if (!versions.includes(entry.version)) versions.push(entry.version);
  }
  return body;
}

/**
 * Asks the registry's bulk advisory endpoint (npm/cli workspaces/arborist/lib/audit-report.js: a POST of the
 * gzip-compressed `{ name: [versions] }` to /-/npm/v1/security/advisories/bulk, answered with
 * `{ name: [{ id, url, title, severity, vulnerable_versions }] }`). Resolves to `{ answer }`, or `{ unasked }` saying
 * why it could not ask: no answer, a status other than 200, or a body that is not that object.
 */
async function askRegistry(registry, lock, timeoutMs = 60000) {
  const url = new URL('-/npm/v1/security/advisories/bulk', registry.endsWith('/') ? registry : `${registry}/`).href;
  let response;
  try {
    response = await globalThis.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', accept: 'application/json' },
      body: gzipSync(JSON.stringify(bulkRequest(lock))),
      signal: globalThis.AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { url, unasked: `no answer from ${url} (${error.cause?.code ?? error.cause?.message ?? error.message})` };
  }
  const text = await response.text();
  if (response.status !== 200) {
    return { url, unasked: `${url} answered ${response.status} ${response.statusText}${text ? `: ${text.replace(/\s+/g, ' ').slice(0, 120)}` : ''}` };
  }
  try {
    const answer = JSON.parse(text);
    if (answer === null || typeof answer !== 'object' || Array.isArray(answer) || !Object.values(answer).every(Array.isArray))
      throw new Error('not { name: [advisories] }');
    return { url, answer };
  } catch (error) {
    return { url, unasked: `${url} answered 200 with something other than the advisories (${error.message})` };
  }
}

/** The id an advisory of the bulk answer goes by: its GHSA (from its url, as the table keys them), else npm's number. */
const bulkId = (advisory) => /GHSA(-[23456789cfghjmpqrvwx]{4}){3}/.exec(advisory.url ?? '')?.[0] ?? `npm-${advisory.id}`;

/** Every installed copy inside an advisory of the bulk answer, as `triage` reports the table's (plus `source`). */
function triageBulk(lock, answer) {
  const runtime = new Set(runtimeClosure(lock));
  const hits = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.version === undefined || entry.link) continue;
    const name = nameOf(path, entry);
    for (const advisory of answer[name] ?? []) {
      if (!satisfies(entry.version, advisory.vulnerable_versions ?? '*')) continue;
      hits.push({
        id: bulkId(advisory),
        package: name,
        version: entry.version,
        severity: advisory.severity ?? 'unrecorded',
        path,
        runtime: runtime.has(path),
        bundled: entry.inBundle === true,
      });
    }
  }
  return hits.sort((a, b) => a.id.localeCompare(b.id) || a.path.localeCompare(b.path));
}

/** Whole days from the table's `checked` date (YYYY-MM-DD) to `today` (the same form). */
const daysSince = (checked, today) => Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${checked}T00:00:00Z`)) / 86400000);

/** The advisory ids the section "Dependency advisories" of docs/security.md names. */
function namedInSecurityDoc(text) {
  const start = text.indexOf('\n## Dependency advisories');
  if (start < 0) return new Set();
  const end = text.indexOf('\n## ', start + 1);
  return new Set(text.slice(start, end < 0 ? undefined : end).match(/GHSA(-[23456789cfghjmpqrvwx]{4}){3}/g) ?? []);
}

/**
 * Every package bundled into the CLI (`bundled`: `{ name, version, path }` from its SBOM, scripts/cli-sbom.js
 * readCliSbom) inside an advisory of the table or of the registry's answer (`registry`), as `triage` reports an
 * installed copy, with `cli: true` (and `fromRegistry` where only the registry names it).
 */
function triageBundled(bundled, table, registry) {
  const hits = new Map();
  const hit = (id, pkg, severity, fromRegistry) => {
    const key = `${id} ${pkg.path}`;
    if (!hits.has(key))
      hits.set(key, {
        id,
        package: pkg.name,
        version: pkg.version,
        severity,
        path: pkg.path,
        runtime: false,
        bundled: false,
        cli: true,
        fromRegistry,
      });
  };
  for (const pkg of bundled) {
    for (const advisory of table.advisories)
      if (advisory.package === pkg.name && advisory.ranges.some((range) => affects(range, pkg.version)))
        hit(advisory.id, pkg, advisory.severity, false);
    for (const advisory of registry?.[pkg.name] ?? [])
      if (satisfies(pkg.version, advisory.vulnerable_versions ?? '*')) hit(bulkId(advisory), pkg, advisory.severity ?? 'unrecorded', true);
  }
  return [...hits.values()];
}

/**
 * The report's lines and the problems that fail it: a copy users install, a package bundled into the CLI (`bundled`,
 * from its SBOM), a copy docs/security.md does not name, and with `registry` (the bulk endpoint's answer) an advisory
 * it reports that the table lacks, and with `today` a table checked more than `maxAgeDays` days before.
 */
function report(lock, table, securityDoc, { registry, today, maxAgeDays = 30, bundled } = {}) {
  // A bundled package's lockfile copy is reported once, marked bundled into the CLI: the SBOM's paths are the
  // lockfile's. yaml is both, installed for the library's users and bundled into the CLI.
  const inCli = new Set((bundled ?? []).map((pkg) => pkg.path));
  const mark = (hit) => (inCli.has(hit.path) ? { ...hit, cli: true } : hit);
  const fromTable = triage(lock, table);
  const fromRegistry = registry === undefined ? [] : triageBulk(lock, registry);
  const fromCli = bundled === undefined ? [] : triageBundled(bundled, table, registry);
  const inTable = new Set(table.advisories.map((advisory) => advisory.id));
  const seen = new Set(fromTable.map((hit) => `${hit.id} ${hit.path}`));
  const fromLock = [...fromTable, ...fromRegistry.filter((hit) => !seen.has(`${hit.id} ${hit.path}`))].map(mark);
  const inLock = new Set(fromLock.map((hit) => `${hit.id} ${hit.path}`));
  const hits = [...fromLock, ...fromCli.filter((hit) => !inLock.has(`${hit.id} ${hit.path}`))].sort(
    (a, b) => a.id.localeCompare(b.id) || a.path.localeCompare(b.path),
  );
  const named = namedInSecurityDoc(securityDoc);
  const reach = (hit) =>
    hit.runtime
      ? `INSTALLED BY THE PACKED LIBRARY FOR ITS USERS${hit.cli ? ', AND BUNDLED INTO THE CLI' : ''}`
      : hit.cli
        ? 'BUNDLED INTO THE CLI FOR ITS USERS'
        : 'not installed by the packed library';
  const lines = hits.map(
    (hit) => `${hit.id} ${hit.package}@${hit.version} (${hit.severity}) ${hit.path}${hit.bundled ? ', bundled' : ''}: ${reach(hit)}`,
  );
  const problems = [
    ...hits.filter((hit) => hit.runtime).map((hit) => `${hit.id} ${hit.package}@${hit.version} is installed for the library's users (${hit.path})`),
    ...hits
      .filter((hit) => hit.cli && !hit.runtime)
      .map(
        (hit) =>
          `${hit.id} ${hit.package}@${hit.version} is bundled into the CLI for its users (${hit.path}): move it past the advisory (an exact devDependency, or the package that pulls it) and build again`,
      ),
    ...[...new Set(hits.map((hit) => hit.id))].filter((id) => !named.has(id)).map((id) => `${id} is found but not named in docs/security.md`),
    ...[
      ...new Set(
        [...fromRegistry, ...fromCli.filter((hit) => hit.fromRegistry)]
          .filter((hit) => !inTable.has(hit.id))
          .map((hit) => `${hit.id} (${hit.package}@${hit.version})`),
      ),
    ].map((what) => `${what} is reported by the registry but not in scripts/advisories.json: add it with its ranges and source`),
  ];
  if (today !== undefined) {
    const age = daysSince(table.checked, today);
    if (!(age <= maxAgeDays))
      problems.push(
        `scripts/advisories.json is stale: checked ${table.checked}, ${age} days ago (more than ${maxAgeDays}): check the GitHub advisory database for every installed package again, update the table and its "checked" date`,
      );
  }
  const runtime = runtimeClosure(lock).map((path) => nameOf(path, lock.packages[path]));
  lines.push(
    `${hits.length} installed copies inside ${new Set(hits.map((hit) => hit.id)).size} advisories: the table's ${table.advisories.length} (checked ${table.checked})` +
      `${registry === undefined ? '' : ` and the registry's ${Object.values(registry).flat().length}`}; ` +
      `${hits.filter((hit) => hit.runtime).length} in what the packed library installs for its users (${runtime.join(', ')})` +
      `${bundled === undefined ? '' : `; ${hits.filter((hit) => hit.cli).length} in the ${new Set(bundled.map((pkg) => `${pkg.name}@${pkg.version}`)).size} packages bundled into the CLI (its SBOM)`}.`,
  );
  return { hits, lines, problems };
}

/** The command line's options. */
function options(argv, env) {
  const value = (flag) => {
    const i = argv.indexOf(flag);
    return i < 0 ? undefined : argv[i + 1];
  };
  const maxAge = value('--max-age') ?? '30';
  if (!/^\d+$/.test(maxAge)) throw new Error(`--max-age ${maxAge}: give a whole number of days, e.g. --max-age 30`);
  return {
    registry: value('--registry') ?? env.npm_config_registry ?? 'https://registry.npmjs.org/',
    tableOnly: argv.includes('--table-only'),
    maxAgeDays: Number(maxAge),
    sbom: value('--sbom'),
  };
}

/**
 * The packages bundled into the CLI, from the SBOM `file`, else from the checkout's build of the CLI (dist/.ops-cli,
 * where `npm run roll|teardown|drill` runs it: scripts/build.js checkoutCli builds it first when any of its inputs,
 * package-lock.json among them, changed since).
 */
async function cliBundled(root, file) {
  const { readCliSbom, SBOM_FILE } = require('./cli-sbom');
  if (file !== undefined) return { file, bundled: readCliSbom(readFileSync(file, 'utf8')) };
  const { checkoutCli, CHECKOUT_CLI_DIR } = require('./build');
  await checkoutCli();
  const built = join(CHECKOUT_CLI_DIR, SBOM_FILE);
  return { file: built, bundled: readCliSbom(readFileSync(built, 'utf8')) };
}

/** Runs the command: prints the report, the problems and whether the registry was asked; resolves to the exit code. */
async function main(argv, env, root = ROOT, today = new Date().toISOString().slice(0, 10)) {
  const read = (path) => readFileSync(join(root, path), 'utf8');
  const lock = JSON.parse(read('package-lock.json'));
  const { registry, tableOnly, maxAgeDays, sbom } = options(argv, env);
  const asked = tableOnly ? { unasked: 'not asked (--table-only)' } : await askRegistry(registry, lock);
  let result;
  let cli;
  try {
    cli = await cliBundled(root, sbom);
    result = report(lock, JSON.parse(read('scripts/advisories.json')), read('docs/security.md'), {
      registry: asked.answer,
      today,
      maxAgeDays,
      bundled: cli.bundled,
    });
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  const { lines, problems } = result;
  const sbomPath = relative(root, cli.file);
  lines.push(`The CLI's bundled packages were read from ${sbomPath.startsWith('..') ? cli.file : sbomPath}.`);
  lines.push(
    asked.answer !== undefined
      ? `The registry answered (${asked.url}): its advisories for every installed package are in this report.`
      : tableOnly
        ? 'The registry was not asked (--table-only): this report rests on scripts/advisories.json alone.'
        : `COULD NOT ASK THE REGISTRY: ${asked.unasked}. This report rests on scripts/advisories.json alone.`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n`);
    return 1;
  }
  return asked.answer !== undefined || tableOnly ? 0 : 2;
}

module.exports = {
  affects,
  askRegistry,
  bulkRequest,
  compare,
  main,
  namedInSecurityDoc,
  report,
  runtimeClosure,
  satisfies,
  triage,
  triageBulk,
  triageBundled,
};

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
