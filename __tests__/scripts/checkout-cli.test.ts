import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `npm run roll|rotate|...` in a checkout (scripts/ops.js) runs the CLI that scripts/build.js checkoutCli keeps in
// dist/.ops-cli, built only when one of its inputs changed. The decision, counted in builds: a build here is a
// stand-in that writes the CLI's files and names the inputs it read, as buildCli does from esbuild's metafiles (the
// real build's inputs: checkout-cli.tools.test.ts).

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script of this repository, without types
const { checkoutCli, cliIsFresh, stampedAs, CLI_BUILD_FILES } = require('../../scripts/build.js') as {
  checkoutCli(
    out: string,
    options: { build(out: string): Promise<{ inputs: string[] }>; buildFiles: string[] },
  ): Promise<{ cli: string; built: boolean }>;
  cliIsFresh(out: string): boolean;
  stampedAs(file: string): string;
  CLI_BUILD_FILES: string[];
};

/** A time well before any build here: files written before a build started (one written during it is not trusted). */
const EARLIER = new Date('2026-01-01T00:00:00Z');

let dir: string;
let out: string;
let source: string;
let lockfile: string;
let builds: number;
/** What the stand-in build writes: the entry and a file apart, each carrying the source's text. */
const build = async (into: string) => {
  builds++;
  mkdirSync(into, { recursive: true });
  const text = readFileSync(source, 'utf8');
  writeFileSync(join(into, 'main.js'), `// ${text}\n`);
  writeFileSync(join(into, 'aws-sdk.js'), `// sdk of ${text}\n`);
  return { inputs: [source] };
};
const run = () => checkoutCli(out, { build, buildFiles: [lockfile] });
let writes = 0;
/** Writes `file` with `text`, dated before the build (each write a second after the one before, as an edit is). */
const write = (file: string, text: string, when = new Date(EARLIER.getTime() + 1000 * ++writes)) => {
  writeFileSync(file, text);
  utimesSync(file, when, when);
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rancher-checkout-cli-'));
  out = join(dir, 'dist', '.ops-cli');
  source = join(dir, 'command.ts');
  lockfile = join(dir, 'package-lock.json');
  write(source, 'export const answer = 1;');
  write(lockfile, '{"packages":{"node_modules/yaml":{"version":"2.9.1"}}}');
  builds = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/build.js checkoutCli: the CLI a checkout runs, built only when its inputs changed', () => {
  it('builds once, then runs the same build while nothing changed', async () => {
    expect(await run()).toEqual({ cli: join(out, 'main.js'), built: true });
    expect(await run()).toEqual({ cli: join(out, 'main.js'), built: false });
    expect(await run()).toMatchObject({ built: false });
    expect(builds).toBe(1);
    expect(readFileSync(join(out, 'main.js'), 'utf8')).toContain('answer = 1');
  });

  it('builds again after a source changed: its text, or only its time', async () => {
    await run();
    write(source, 'export const answer = 2;');
    expect(await run()).toMatchObject({ built: true });
    expect(readFileSync(join(out, 'main.js'), 'utf8')).toContain('answer = 2');
    // Same size, same text, another modification time: built again (the stamp holds sizes and times).
    write(source, 'export const answer = 2;');
    expect(await run()).toMatchObject({ built: true });
    expect(builds).toBe(3);
    expect(await run()).toMatchObject({ built: false });
  });

  it('builds again after the lockfile changed (another version of a package), or a source went missing', async () => {
    await run();
    write(lockfile, '{"packages":{"node_modules/yaml":{"version":"2.9.2"}}}');
    expect(await run()).toMatchObject({ built: true });
    expect(builds).toBe(2);
    // A source gone: not fresh, so a build, which fails as esbuild's would on the import, and nothing runs.
    rmSync(source);
    await expect(run()).rejects.toThrow(/ENOENT/);
    expect(builds).toBe(3);
    expect(cliIsFresh(out)).toBe(false);
  });

  it("builds again when one of the CLI's own files is missing or changed, and never calls a half-made folder fresh", async () => {
    await run();
    rmSync(join(out, 'main.js'));
    expect(cliIsFresh(out)).toBe(false);
    expect(await run()).toMatchObject({ built: true });
    rmSync(join(out, 'aws-sdk.js'));
    expect(await run()).toMatchObject({ built: true });
    writeFileSync(join(out, 'aws-sdk.js'), '// changed by hand\n');
    expect(await run()).toMatchObject({ built: true });
    rmSync(join(out, 'stamp.json'));
    expect(await run()).toMatchObject({ built: true });
    expect(builds).toBe(5);
    expect(await run()).toMatchObject({ built: false });
  });

  it('a build that fails leaves no fresh CLI: the next run builds again, and no folder of its own is left', async () => {
    await run();
    write(source, 'export const answer = 3;');
    const failing = async (into: string) => {
      builds++;
      mkdirSync(into, { recursive: true });
      writeFileSync(join(into, 'main.js'), 'half');
      throw new Error('esbuild: a syntax error');
    };
    await expect(checkoutCli(out, { build: failing, buildFiles: [lockfile] })).rejects.toThrow('a syntax error');
    expect(cliIsFresh(out)).toBe(false);
    expect(readdirSync(join(dir, 'dist'))).toEqual(['.ops-cli']);
    expect(await run()).toMatchObject({ built: true });
    expect(readFileSync(join(out, 'main.js'), 'utf8')).toContain('answer = 3');
    expect(builds).toBe(3);
    expect(readdirSync(join(dir, 'dist'))).toEqual(['.ops-cli']);
  });

  it('does not trust a source written while the build ran (it may have read it before): the next run builds again', async () => {
    writeFileSync(source, 'export const answer = 4;');
    expect(await run()).toMatchObject({ built: true });
    expect(await run()).toMatchObject({ built: true });
    expect(builds).toBe(2);
  });

  it("stamps a package's file by its package's package.json, and the lockfile and npm's record of node_modules by default", () => {
    expect(stampedAs('cli/roll/roll.ts')).toBe('cli/roll/roll.ts');
    expect(stampedAs('node_modules/yaml/dist/index.js')).toBe('node_modules/yaml/package.json');
    expect(stampedAs('../main/node_modules/@aws-sdk/client-ec2/dist-es/index.js')).toBe('../main/node_modules/@aws-sdk/client-ec2/package.json');
    expect(stampedAs('node_modules/a/node_modules/@s/b/lib/x.js')).toBe('node_modules/a/node_modules/@s/b/package.json');
    expect(CLI_BUILD_FILES).toEqual(
      expect.arrayContaining(['package-lock.json', 'node_modules/.package-lock.json', 'package.json', 'scripts/build.js']),
    );
  });
});
