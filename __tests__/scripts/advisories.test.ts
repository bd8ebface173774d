import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// scripts/advisories.js: the lockfile against the committed table of advisories (npm audit's query is refused by the
// registry these machines reach). Pure JavaScript over files: no process, so the unit tier runs it.

interface Range {
  readonly introduced: string;
  readonly fixed?: string;
  readonly last_affected?: string;
}
interface Advisory {
  readonly id: string;
  readonly package: string;
  readonly severity: string;
  readonly summary: string;
  readonly ranges: readonly Range[];
  readonly source: string;
}
interface Table {
  readonly checked?: string;
  readonly advisories: readonly Advisory[];
}
interface LockEntry {
  readonly version?: string;
  readonly name?: string;
  readonly dev?: boolean;
  readonly inBundle?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}
interface Lock {
  readonly packages: Record<string, LockEntry>;
}
interface Hit {
  readonly id: string;
  readonly package: string;
  readonly version: string;
  readonly path: string;
  readonly runtime: boolean;
  readonly bundled: boolean;
  readonly cli?: boolean;
}
/** A package bundled into the CLI, as scripts/cli-sbom.js readCliSbom gives it from the SBOM. */
interface Bundled {
  readonly name: string;
  readonly version: string;
  readonly path: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const script = require('../../scripts/advisories.js') as {
  affects(range: Range, version: string): boolean;
  bulkRequest(lock: Lock): Record<string, string[]>;
  compare(a: string, b: string): number;
  namedInSecurityDoc(text: string): Set<string>;
  report(
    lock: Lock,
    table: Table,
    securityDoc: string,
    options?: { registry?: Bulk; today?: string; maxAgeDays?: number; bundled?: readonly Bundled[] },
  ): { hits: Hit[]; lines: string[]; problems: string[] };
  runtimeClosure(lock: Lock): string[];
  satisfies(version: string, range: string): boolean;
  triage(lock: Lock, table: Table): Hit[];
  triageBulk(lock: Lock, answer: Bulk): Hit[];
};
/** The bulk advisory endpoint's answer: per package, its advisories (npm/cli workspaces/arborist/lib/audit-report.js). */
type Bulk = Record<string, { id: number; url?: string; title: string; severity: string; vulnerable_versions: string }[]>;

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const lock = JSON.parse(read('package-lock.json')) as Lock;
const table = JSON.parse(read('scripts/advisories.json')) as Table;
const securityDoc = read('docs/security.md');

describe('the committed lockfile against the committed table', () => {
  const { hits, problems } = script.report(lock, table, securityDoc);

  it('finds nothing in what the packed library installs for its users: yaml and zod, which pull nothing, each with advisories in the table', () => {
    expect(script.runtimeClosure(lock)).toEqual(['node_modules/yaml', 'node_modules/zod']);
    expect(hits.filter((hit) => hit.runtime)).toEqual([]);
    // Not vacuous: the runtime packages' own advisories are in the table, and their versions are outside them.
    for (const name of ['yaml', 'zod']) expect(table.advisories.filter((advisory) => advisory.package === name).length).toBeGreaterThan(0);
  });

  it('names every advisory it finds in docs/security.md, and the section names none the table lacks', () => {
    expect(problems).toEqual([]);
    const named = [...script.namedInSecurityDoc(securityDoc)].sort();
    expect(named).toEqual(expect.arrayContaining([...new Set(hits.map((hit) => hit.id))]));
    const ids = new Set(table.advisories.map((advisory) => advisory.id));
    expect(named.filter((id) => !ids.has(id))).toEqual([]);
  });

  it("finds no advisory's copy in the tree: cdktf 0.21.0's bundled copies went with the one core, and the overrides moved the others past their fixes", () => {
    expect(hits.map((hit) => `${hit.package}@${hit.version} ${hit.path}`)).toEqual([]);
    const pkg = JSON.parse(read('package.json')) as { overrides: Record<string, string> };
    // Each override is in force wherever npm can apply it: a copy of the package it names (of the version it names,
    // for `name@version`) is installed at the override's version, anywhere in the tree, but inside cdktf's own
    // tarball (bundled, out of its reach); and at least one copy is there to be overridden.
    for (const [name, version] of Object.entries(pkg.overrides)) {
      // `$cdktf` names the root's own dependency (the one core for the @cdktf bindings' peer), not a fix.
      if (version.startsWith('$')) continue;
      const bare = name.replace(/(.)@.*$/, '$1');
      const copies = Object.entries(lock.packages)
        .filter(([path]) => path === `node_modules/${bare}` || path.endsWith(`/node_modules/${bare}`))
        .filter(([path]) => !path.startsWith('node_modules/cdktf/node_modules/'));
      const from = name.slice(bare.length + 1);
      const overridden = copies.filter(([, entry]) => (from ? [from, version] : [entry.version]).includes(entry.version));
      expect({
        name,
        overridden: overridden.length > 0,
        stale: overridden.filter(([, entry]) => entry.version !== version).map(([path]) => path),
      }).toEqual({
        name,
        overridden: true,
        stale: [],
      });
    }
  });

  it('finds the 2026 advisories of undici and jsonpath-plus outside the copies the CLI bundles, and inside a version before their fixes', () => {
    // The lockfile's copies of what the CLI bundles (the tools tier reads the built SBOM: __tests__/scripts/cli-sbom.tools.test.ts).
    const copy = (name: string) => ({ name, version: lock.packages[`node_modules/${name}`]!.version!, path: `node_modules/${name}` });
    const bundled = ['undici', 'jsonpath-plus', 'ws', 'commander', '@kubernetes/client-node'].map(copy);
    const { problems } = script.report(lock, table, securityDoc, { bundled });
    expect(problems).toEqual([]);
    for (const name of ['undici', 'jsonpath-plus'])
      expect(table.advisories.filter((advisory) => advisory.package === name).length).toBeGreaterThan(0);
    const old = script.report(lock, table, securityDoc, {
      bundled: [
        { name: 'undici', version: '8.4.0', path: 'node_modules/undici' },
        { name: 'jsonpath-plus', version: '10.2.0', path: 'node_modules/jsonpath-plus' },
      ],
    });
    expect(old.hits.map((hit) => `${hit.id} ${hit.package}@${hit.version} ${hit.cli}`)).toEqual([
      'GHSA-35p6-xmwp-9g52 undici@8.4.0 true',
      'GHSA-4cwx-7wf7-3272 undici@8.4.0 true',
      'GHSA-pppg-cpfq-h7wr jsonpath-plus@10.2.0 true',
    ]);
    expect(old.problems.filter((problem) => problem.includes('is bundled into the CLI for its users'))).toHaveLength(3);
  });

  it('holds each advisory once, with its ranges, severity and source', () => {
    const ids = table.advisories.map((advisory) => advisory.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const advisory of table.advisories) {
      expect({ id: advisory.id, ok: /^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/.test(advisory.id) }).toEqual({ id: advisory.id, ok: true });
      expect(['low', 'moderate', 'high', 'critical', 'unrecorded']).toContain(advisory.severity);
      expect(advisory.source.length).toBeGreaterThan(0);
      expect(advisory.ranges.length).toBeGreaterThan(0);
      for (const range of advisory.ranges) expect(range.fixed !== undefined && range.last_affected !== undefined).toBe(false);
    }
  });
});

describe('the range check, as the OSV records write ranges', () => {
  it('includes `introduced`, excludes `fixed`, includes `last_affected`; "0" is the first version', () => {
    const fixed = { introduced: '2.0.0', fixed: '2.1.4' };
    expect(['1.9.9', '2.0.0', '2.1.3', '2.1.4', '2.10.0'].map((v) => script.affects(fixed, v))).toEqual([false, true, true, false, false]);
    const last = { introduced: '0', last_affected: '3.22.2' };
    expect(['0.0.1', '3.22.2', '3.22.3', '3.24.4'].map((v) => script.affects(last, v))).toEqual([true, true, false, false]);
    expect(script.affects({ introduced: '1.0.0' }, '99.0.0')).toBe(true);
  });

  it('orders versions by number and prereleases before their release, as semver does', () => {
    expect(script.compare('1.10.0', '1.9.9')).toBe(1);
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
    for (let i = 1; i < ordered.length; i++) expect([ordered[i - 1], script.compare(ordered[i - 1]!, ordered[i]!)]).toEqual([ordered[i - 1], -1]);
    const prerelease = { introduced: '2.0.0-5', fixed: '2.2.2' };
    expect(['2.0.0-4', '2.0.0-5', '2.0.0', '2.2.1', '2.2.2'].map((v) => script.affects(prerelease, v))).toEqual([false, true, true, true, false]);
  });
});

describe('what reaches users', () => {
  // A library `lib` with one dependency `a`, which needs `b@2` (nested, as npm places a second version) and peers
  // `c`; `b@1` sits at the top for a development tool; `d` is bundled inside the dev tool `tool`.
  const synthetic: Lock = {
    packages: {
      '': { dependencies: { a: '1.0.0' }, devDependencies: { tool: '1.0.0' } },
      'node_modules/a': { version: '1.0.0', dependencies: { b: '^2.0.0' }, peerDependencies: { c: '^1.0.0' } },
      'node_modules/a/node_modules/b': { version: '2.0.0' },
      'node_modules/b': { version: '1.0.0', dev: true },
      'node_modules/c': { version: '1.0.0' },
      'node_modules/tool': { version: '1.0.0', dev: true, dependencies: { b: '^1.0.0', d: '1.0.0' } },
      'node_modules/tool/node_modules/d': { version: '1.0.0', dev: true, inBundle: true },
    },
  };
  const advisory = (id: string, name: string): Advisory => ({
    id,
    package: name,
    severity: 'high',
    summary: '',
    source: 'test',
    ranges: [{ introduced: '0', fixed: '9.0.0' }],
  });
  const syntheticTable: Table = {
    advisories: [advisory('GHSA-2222-3333-4444', 'b'), advisory('GHSA-5555-6666-7777', 'd')],
  };

  it('follows the dependencies as Node.js resolves them, nested copies first, with the peers they pull and no development package', () => {
    expect(script.runtimeClosure(synthetic)).toEqual(['node_modules/a', 'node_modules/a/node_modules/b', 'node_modules/c']);
  });

  it('reports a copy users install as reaching them and fails on it, and fails on a copy docs/security.md does not name', () => {
    const { hits, problems } = script.report(
      synthetic,
      syntheticTable,
      '# Security\n\n## Dependency advisories\n\nGHSA-5555-6666-7777: bundled in tool.\n',
    );
    expect(hits.map((hit) => [hit.id, hit.path, hit.runtime, hit.bundled])).toEqual([
      ['GHSA-2222-3333-4444', 'node_modules/a/node_modules/b', true, false],
      ['GHSA-2222-3333-4444', 'node_modules/b', false, false],
      ['GHSA-5555-6666-7777', 'node_modules/tool/node_modules/d', false, true],
    ]);
    expect(problems).toEqual([
      "GHSA-2222-3333-4444 b@2.0.0 is installed for the library's users (node_modules/a/node_modules/b)",
      'GHSA-2222-3333-4444 is found but not named in docs/security.md',
    ]);
  });

  it('fails on a package bundled into the CLI inside an advisory, reported once as bundled into the CLI for its users, not as its development copy', () => {
    // `b@1` is a development package to the lockfile, and the CLI's bundle carries it; `e` is bundled too, outside any advisory.
    const bundled = [
      { name: 'b', version: '1.0.0', path: 'node_modules/b' },
      { name: 'e', version: '3.0.0', path: 'node_modules/e' },
    ];
    const doc = '# Security\n\n## Dependency advisories\n\nGHSA-2222-3333-4444, GHSA-5555-6666-7777\n';
    const { hits, lines, problems } = script.report(synthetic, syntheticTable, doc, { bundled });
    expect(hits.map((hit) => [hit.id, hit.path, hit.runtime, hit.cli === true])).toEqual([
      ['GHSA-2222-3333-4444', 'node_modules/a/node_modules/b', true, false],
      ['GHSA-2222-3333-4444', 'node_modules/b', false, true],
      ['GHSA-5555-6666-7777', 'node_modules/tool/node_modules/d', false, false],
    ]);
    expect(lines).toContain('GHSA-2222-3333-4444 b@1.0.0 (high) node_modules/b: BUNDLED INTO THE CLI FOR ITS USERS');
    expect(lines.at(-1)).toMatch(/; 1 in the 2 packages bundled into the CLI \(its SBOM\)\.$/);
    expect(problems).toEqual([
      "GHSA-2222-3333-4444 b@2.0.0 is installed for the library's users (node_modules/a/node_modules/b)",
      'GHSA-2222-3333-4444 b@1.0.0 is bundled into the CLI for its users (node_modules/b): move it past the advisory (an exact devDependency, or the package that pulls it) and build again',
    ]);
    // Without the SBOM the same copy is a development package, which fails nothing.
    expect(script.report(synthetic, syntheticTable, doc).problems).toEqual([problems[0]]);
  });

  it("checks the bundled packages against the registry's answer as well, by name and version, even where the lockfile has no such copy", () => {
    const answer: Bulk = {
      e: [{ id: 7, url: 'https://github.com/advisories/GHSA-8888-9999-cccc', title: 'e', severity: 'moderate', vulnerable_versions: '<3.0.1' }],
    };
    const { hits, problems } = script.report(synthetic, { advisories: [] }, '# S\n## Dependency advisories\n\nGHSA-8888-9999-cccc\n', {
      registry: answer,
      bundled: [{ name: 'e', version: '3.0.0', path: 'node_modules/e' }],
    });
    expect(hits.map((hit) => [hit.id, hit.package, hit.cli])).toEqual([['GHSA-8888-9999-cccc', 'e', true]]);
    expect(problems).toEqual([
      'GHSA-8888-9999-cccc e@3.0.0 is bundled into the CLI for its users (node_modules/e): move it past the advisory (an exact devDependency, or the package that pulls it) and build again',
      'GHSA-8888-9999-cccc (e@3.0.0) is reported by the registry but not in scripts/advisories.json: add it with its ranges and source',
    ]);
  });

  it('reads the advisory ids of the "Dependency advisories" section only', () => {
    const doc =
      '## Other\nGHSA-2222-3333-4444\n## Dependency advisories\nGHSA-5555-6666-7777\n### detail\nGHSA-7777-8888-9999\n## Next\nGHSA-cccc-ffff-gggg\n';
    expect([...script.namedInSecurityDoc(doc)]).toEqual(['GHSA-5555-6666-7777', 'GHSA-7777-8888-9999']);
  });
});

describe("the registry's bulk advisory answer", () => {
  it('reads vulnerable_versions as npm writes ranges: comparator sets joined by ||, hyphen ranges, *', () => {
    const cases: [string, string, boolean][] = [
      ['4.17.21', '>=4.0.0 <4.17.23', true],
      ['4.17.23', '>=4.0.0 <4.17.23', false],
      ['3.9.9', '>=4.0.0 <4.17.23', false],
      ['1.15.6', '<1.15.6', false],
      ['1.15.5', '<1.15.6', true],
      ['3.22.2', '<=3.22.2', true],
      ['2.0.1', '>= 2.0.0, < 2.0.2'.replace(',', ''), true],
      ['1.2.3', '<1.0.0 || >=1.2.0 <1.3.0', true],
      ['1.1.0', '<1.0.0 || >=1.2.0 <1.3.0', false],
      ['2.5.0', '2.0.0 - 2.5.0', true],
      ['2.5.1', '2.0.0 - 2.5.0', false],
      ['9.9.9', '*', true],
      ['1.0.0', '1.0.0', true],
      ['1.0.1', '=1.0.0', false],
      ['2.0.0-rc.1', '<2.0.0', true],
    ];
    for (const [version, range, inside] of cases) expect([version, range, script.satisfies(version, range)]).toEqual([version, range, inside]);
  });

  it('refuses a range form it cannot read instead of dropping the advisory', () => {
    expect(() => script.satisfies('1.2.3', '^1.0.0')).toThrow('cannot read the range "^1.0.0"');
    expect(() => script.satisfies('1.2.3', '1.x')).toThrow('cannot read the range "1.x"');
  });

  // The synthetic lockfile of "what reaches users", with a second copy of b.
  const lock: Lock = {
    packages: {
      '': { dependencies: { a: '1.0.0' } },
      'node_modules/a': { version: '1.0.0', dependencies: { b: '^2.0.0' } },
      'node_modules/a/node_modules/b': { version: '2.0.0' },
      'node_modules/b': { version: '1.0.0', dev: true },
      'node_modules/c': { version: '3.0.0', dev: true },
    },
  };

  it('asks for every installed package with each of its versions once, as npm audit does', () => {
    expect(script.bulkRequest(lock)).toEqual({ a: ['1.0.0'], b: ['2.0.0', '1.0.0'], c: ['3.0.0'] });
  });

  it("reports each installed copy inside an advisory of the answer under its GHSA (from the url), else npm's number", () => {
    const answer: Bulk = {
      b: [{ id: 7, url: 'https://github.com/advisories/GHSA-2222-3333-4444', title: 't', severity: 'high', vulnerable_versions: '>=2.0.0 <2.0.1' }],
      c: [{ id: 8, title: 't', severity: 'low', vulnerable_versions: '<4.0.0' }],
    };
    expect(script.triageBulk(lock, answer).map((hit) => [hit.id, hit.path, hit.runtime])).toEqual([
      ['GHSA-2222-3333-4444', 'node_modules/a/node_modules/b', true],
      ['npm-8', 'node_modules/c', false],
    ]);
  });

  it("fails on an advisory the registry reports that the table lacks, beside the rules the table's hits follow", () => {
    const answer: Bulk = {
      c: [{ id: 8, url: 'https://github.com/advisories/GHSA-5555-6666-7777', title: 't', severity: 'low', vulnerable_versions: '<4.0.0' }],
    };
    const doc = '# Security\n\n## Dependency advisories\nGHSA-5555-6666-7777: a dev tool.\n';
    const { problems, lines } = script.report(lock, { checked: '2026-11-26', advisories: [] }, doc, { registry: answer });
    expect(problems).toEqual([
      'GHSA-5555-6666-7777 (c@3.0.0) is reported by the registry but not in scripts/advisories.json: add it with its ranges and source',
    ]);
    expect(lines[0]).toBe('GHSA-5555-6666-7777 c@3.0.0 (low) node_modules/c: not installed by the packed library');
  });
});

describe("the table's checked date", () => {
  const table: Table = { checked: '2026-11-26', advisories: [] };
  const stale = (today: string, maxAgeDays?: number) =>
    script.report({ packages: { '': {} } }, table, '', { today, ...(maxAgeDays === undefined ? {} : { maxAgeDays }) }).problems;

  it('holds for 30 days by default, to the day, and is stale after', () => {
    expect(stale('2026-11-26')).toEqual([]);
    expect(stale('2026-12-26')).toEqual([]);
    expect(stale('2026-12-27')).toEqual([
      'scripts/advisories.json is stale: checked 2026-11-26, 31 days ago (more than 30): check the GitHub advisory database for every installed package again, update the table and its "checked" date',
    ]);
  });

  it('takes another limit, and a table without a date is stale', () => {
    expect(stale('2026-12-01', 3)).toHaveLength(1);
    expect(stale('2026-11-29', 3)).toEqual([]);
    expect(script.report({ packages: { '': {} } }, { advisories: [] }, '', { today: '2026-11-26' }).problems).toHaveLength(1);
  });
});
