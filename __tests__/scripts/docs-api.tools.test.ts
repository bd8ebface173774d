import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SpawnSyncReturns } from 'node:child_process';
import { scratchFolder } from '../helpers/scratch';
import { runBounded } from '../helpers/subprocess';

// `npm run docs:api` (scripts/docs-api.js): TypeDoc over every entry point of package.json `exports`, every exported
// symbol documented (docs/library.md, "API reference"). One TypeDoc run for the whole file (a process: TypeDoc is an
// ES module that compiles the library, about 25-35 s here); the cases read its output and its pages.

const root = join(__dirname, '..', '..');
const PACKAGE = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
/** What a user imports: `rancher-ha-aws`, `rancher-ha-aws/network`, ... */
const ENTRY_POINTS = Object.keys(PACKAGE.exports)
  .filter((subpath) => subpath !== './package.json')
  .map((subpath) => (subpath === '.' ? PACKAGE.name : `${PACKAGE.name}/${subpath.slice(2)}`));

/**
 * Entry points whose TSDoc is not finished yet, with the warnings they had when the table was written: their
 * warnings are listed, not failed. Every other entry point fails on any warning. The table only shrinks: an entry
 * point here with no warning left fails too (remove it from the table), so a finished one cannot slip back.
 */
const NOT_YET_CHECKED: Readonly<Record<string, string>> = {
  'rancher-ha-aws/alarms': '11 undocumented members (2026-11-26)',
  'rancher-ha-aws/rancher': '69 undocumented members',
};

/** The entry point a TypeDoc warning is about: the module of the symbol it names (the script names modules as imported). */
function entryPointOf(warning: string): string | undefined {
  const names = [...warning.matchAll(/(?<![\w/-])(rancher-ha-aws(?:\/[a-z-]+)?)\./g)].map((m) => m[1]);
  return names.find((name) => ENTRY_POINTS.includes(name));
}

let out: string;
let run: SpawnSyncReturns<string>;
let warnings: string[];

beforeAll(() => {
  out = scratchFolder('docs-api-');
  run = runBounded(process.execPath, [join(root, 'scripts', 'docs-api.js'), '--out', out], { cwd: root });
  const text = `${run.stdout}\n${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  warnings = text
    .split('\n')
    .filter((line) => /\[(warning|error)\]/.test(line))
    .filter((line) => !/Found \d+ errors and \d+ warnings/.test(line));
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The titles of the pages in one folder of the reference (`modules`, `classes`): what each page documents. */
function pageTitles(folder: string): string[] {
  const dir = join(out, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((file) => /<title>([^<|]+?)\s*(\||<)/.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? file);
}

describe('scripts/docs-api.js', () => {
  it('runs TypeDoc over every entry point of package.json exports', () => {
    expect(run.stdout).toContain(`${ENTRY_POINTS.length} entry points`);
    expect(ENTRY_POINTS).toEqual(expect.arrayContaining(['rancher-ha-aws', 'rancher-ha-aws/deployments', 'rancher-ha-aws/network']));
  });

  it('finds no warning in the entry points it checks, naming each one it finds', () => {
    const failing = warnings.filter((warning) => {
      const entry = entryPointOf(warning);
      return entry === undefined || !(entry in NOT_YET_CHECKED);
    });
    expect(failing).toEqual([]);
  });

  it('lists the warnings of the entry points not yet checked, and fails on one that has none left', () => {
    expect(Object.keys(NOT_YET_CHECKED).filter((entry) => !ENTRY_POINTS.includes(entry))).toEqual([]);
    const left = Object.keys(NOT_YET_CHECKED).map((entry) => ({ entry, warnings: warnings.filter((w) => entryPointOf(w) === entry).length }));
    // Not a failure: the next session's list of work.
    process.stdout.write(`TypeDoc warnings of the entry points not yet checked: ${left.map((l) => `${l.entry} ${l.warnings}`).join(', ')}\n`);
    expect(left.filter((l) => l.warnings === 0).map((l) => l.entry)).toEqual([]);
  });

  it('exits 1 while any warning is left (treatWarningsAsErrors), 0 with none', () => {
    expect(run.status).toBe(warnings.length > 0 ? 1 : 0);
    expect(run.stdout).toMatch(new RegExp(`0 errors, ${warnings.length} warnings`));
  });

  it('writes a page for each entry point, named as it is imported, and for the three deployments', () => {
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(pageTitles('modules').sort()).toEqual([...ENTRY_POINTS].sort());
    expect(pageTitles('classes')).toEqual(expect.arrayContaining(['RancherOnRke', 'RancherOnExistingCluster', 'RancherOnDocker']));
    // The construct's own TSDoc is on its page, not only its name.
    const rke = readdirSync(join(out, 'classes')).find((file) => /^rancher-ha-aws\.RancherOnRke\.html$/.test(file));
    expect(rke).toBeDefined();
    expect(readFileSync(join(out, 'classes', rke!), 'utf8')).toMatch(/RKE2/);
  });
});
