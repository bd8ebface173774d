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

  it('finds no TypeDoc warning (every exported symbol documented, every link resolved), naming each one it finds', () => {
    expect(warnings).toEqual([]);
    expect(run.stdout).toContain('0 errors, 0 warnings');
    expect(run.status).toBe(0);
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
