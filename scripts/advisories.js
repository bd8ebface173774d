#!/usr/bin/env node
// The dependency audit `npm audit` would give, from the lockfile and a committed table of advisories
// (scripts/advisories.json): the registry these machines reach refuses npm's advisory query (405), so the advisories
// that concern the packages installed here are taken from the GitHub advisory database by hand, each with its
// affected ranges as the database's OSV records write them (`introduced`, then `fixed` or `last_affected`), and this
// script reports every installed copy whose version is inside one. Pure JavaScript over two files: it starts no
// process and reads nothing else but docs/security.md, where each copy found must be named.
//
//   node scripts/advisories.js     prints every copy found, and exits 1 if one is in what the packed library
//                                  installs for its users (yaml, zod and what they pull) or is not named in
//                                  docs/security.md
'use strict';

const { readFileSync } = require('node:fs');
const { join } = require('node:path');

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

/** The advisory ids the section "Dependency advisories" of docs/security.md names. */
function namedInSecurityDoc(text) {
  const start = text.indexOf('\n## Dependency advisories');
  if (start < 0) return new Set();
  const end = text.indexOf('\n## ', start + 1);
  return new Set(text.slice(start, end < 0 ? undefined : end).match(/GHSA(-[23456789cfghjmpqrvwx]{4}){3}/g) ?? []);
}

/** The report's lines and the problems that fail it (a copy users install; a copy docs/security.md does not name). */
function report(lock, table, securityDoc) {
  const hits = triage(lock, table);
  const named = namedInSecurityDoc(securityDoc);
  const lines = hits.map(
    (hit) =>
      `${hit.id} ${hit.package}@${hit.version} (${hit.severity}) ${hit.path}${hit.bundled ? ', bundled' : ''}: ${hit.runtime ? 'INSTALLED BY THE PACKED LIBRARY FOR ITS USERS' : 'not installed by the packed library'}`,
  );
  const problems = [
    ...hits.filter((hit) => hit.runtime).map((hit) => `${hit.id} ${hit.package}@${hit.version} is installed for the library's users (${hit.path})`),
    ...[...new Set(hits.map((hit) => hit.id))].filter((id) => !named.has(id)).map((id) => `${id} is found but not named in docs/security.md`),
  ];
  const runtime = runtimeClosure(lock).map((path) => nameOf(path, lock.packages[path]));
  lines.push(
    `${hits.length} installed copies inside ${new Set(hits.map((hit) => hit.id)).size} of the ${table.advisories.length} advisories in the table; ` +
      `${hits.filter((hit) => hit.runtime).length} in what the packed library installs for its users (${runtime.join(', ')}).`,
  );
  return { hits, lines, problems };
}

module.exports = { affects, compare, namedInSecurityDoc, report, runtimeClosure, triage };

if (require.main === module) {
  const read = (path) => readFileSync(join(ROOT, path), 'utf8');
  const { lines, problems } = report(JSON.parse(read('package-lock.json')), JSON.parse(read('scripts/advisories.json')), read('docs/security.md'));
  process.stdout.write(`${lines.join('\n')}\n`);
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n`);
    process.exitCode = 1;
  }
}
