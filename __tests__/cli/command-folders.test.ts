import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/**
 * The CLI by command (docs/development.md, "Where the code lives"): a folder per command, and what several commands
 * use in `cli/shared/`. A command's files import only their own folder and `cli/shared/`; `cli/shared/` imports no
 * command; a command that runs another (acceptance runs the roll, the drill tears its throwaway down) is given its
 * entry by `cli/main.ts`, the one module that knows every command. So a command can be read, and changed, alone.
 */

const ROOT = join(__dirname, '..', '..');

/** Every module specifier of a source: static imports (also `import type`, over several lines), re-exports, require, import(). */
export function specifiersOf(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

/** The folder of cli/ a path (relative to the checkout, with slashes) is in; undefined for cli/'s own top-level files. */
const folderOf = (path: string) => /^cli\/([^/]+)\//.exec(path)?.[1];

/** `from -> to` for each relative import from a file in one folder of cli/ into another folder of cli/. */
export function crossFolderImports(files: readonly { path: string; source: string }[]): string[] {
  return files.flatMap(({ path, source }) => {
    const from = folderOf(path);
    if (from === undefined) return [];
    return specifiersOf(source)
      .filter((s) => s.startsWith('.'))
      .map((s) => ({ s, to: folderOf(posix.join(posix.dirname(path), s)) }))
      .filter(({ to }) => to !== undefined && to !== from && to !== 'shared')
      .map(({ s, to }) => `${path} imports ${s} (${from} -> ${to})`);
  });
}

const cliFiles = readdirSync(join(ROOT, 'cli'), { recursive: true, encoding: 'utf8' })
  .map((f) => `cli/${f.replace(/\\/g, '/')}`)
  .filter((f) => f.endsWith('.ts'))
  .map((path) => ({ path, source: readFileSync(join(ROOT, path), 'utf8') }));

describe("the CLI's command folders", () => {
  it('are found with their imports (the scan works)', () => {
    const folders = new Set(cliFiles.map((f) => folderOf(f.path)).filter(Boolean));
    expect([...folders].sort()).toEqual(['acceptance', 'drill', 'failback', 'failover', 'roll', 'rotate', 'shared', 'teardown']);
    const main = cliFiles.find((f) => f.path === 'cli/main.ts')!;
    expect(specifiersOf(main.source)).toEqual(expect.arrayContaining(['./roll/roll', './teardown/teardown', './shared/process']));
  });

  it("sees an import of another command's folder in every form a file can write it", () => {
    const source = [
      "import { a } from '../roll/roll';",
      "import type {\n  B,\n} from '../drill/drill';",
      "export { c } from '../teardown/teardown';",
      "import '../rotate/rotate';",
      "const d = require('../drill/drill-settings');",
      "const e = await import('../roll/roll');",
      "import { f } from '../shared/poll';",
      "import { g } from './acceptance-run';",
    ].join('\n');
    expect(crossFolderImports([{ path: 'cli/acceptance/x.ts', source }]).map((l) => l.replace(/.*\((.*)\)$/, '$1'))).toEqual([
      'acceptance -> roll',
      'acceptance -> drill',
      'acceptance -> teardown',
      'acceptance -> rotate',
      'acceptance -> drill',
      'acceptance -> roll',
    ]);
    // shared/ is a folder like the others: it may import only itself.
    expect(crossFolderImports([{ path: 'cli/shared/x.ts', source: "import { h } from '../roll/roll';" }])).toEqual([
      'cli/shared/x.ts imports ../roll/roll (shared -> roll)',
    ]);
  });

  it("import only their own folder and cli/shared/: no command's file imports another command's", () => {
    expect(crossFolderImports(cliFiles)).toEqual([]);
  });
});
