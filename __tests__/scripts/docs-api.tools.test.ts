import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpawnSyncReturns } from 'node:child_process';
import { scratchFolder } from '../helpers/scratch';
import { runBounded } from '../helpers/subprocess';
import { GIT_ENV, testEnv } from '../helpers/test-env';

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

// The pages' source links come from package.json `repository`, never from the checkout's git remotes: TypeDoc's default
// reads the remote named `origin` and warns without one (typedoc 0.28, GitRepository.tryCreateRepository: `git remote
// get-url origin`, warning "The provided git remote "origin" was not valid"), which failed the run in a fork whose
// remote is `upstream` and in a checkout with none. Each checkout here is a fresh `git init` holding only what TypeDoc
// reads for one entry point (`rancher-ha-aws/common`, which names no other entry point's types): lib/common, the two
// tsconfigs, the script and a package.json whose `exports` is that entry point; node_modules is this checkout's.
describe('scripts/docs-api.js in a checkout without an origin remote', () => {
  /** A git checkout of the files TypeDoc reads, `repository` as given, and the remotes given (none by default). */
  function checkout(repository: unknown, remotes: Record<string, string>): string {
    const dir = scratchFolder('docs-api-checkout-');
    cpSync(join(root, 'lib', 'common'), join(dir, 'lib', 'common'), { recursive: true });
    for (const file of ['tsconfig.json', 'tsconfig.build.json']) cpSync(join(root, file), join(dir, file));
    mkdirSync(join(dir, 'scripts'));
    cpSync(join(root, 'scripts', 'docs-api.js'), join(dir, 'scripts', 'docs-api.js'));
    const pkg: Record<string, unknown> = { ...PACKAGE, exports: { './common': PACKAGE.exports['./common'] } };
    if (repository !== undefined) pkg.repository = repository;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
    // The identity and configuration are the test's own: nothing of the user's git configuration is read.
    const git = (...args: string[]) => {
      const result = runBounded('git', args, { cwd: dir, env: testEnv(GIT_ENV) });
      if (result.status !== 0) throw new Error(`git ${args.join(' ')} in ${dir}: ${result.stderr}`);
      return result.stdout.trim();
    };
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'the files TypeDoc reads');
    for (const [name, url] of Object.entries(remotes)) git('remote', 'add', name, url);
    return dir;
  }

  /** Runs the script in a checkout: its exit status, its warnings and every link the pages make to a forge. */
  function generate(dir: string) {
    const result = runBounded(process.execPath, [join(dir, 'scripts', 'docs-api.js'), '--out', join(dir, 'out')], { cwd: dir });
    const text = `${result.stdout}\n${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    const pages = readdirSync(join(dir, 'out'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.html'));
    const links = new Set(
      pages.flatMap((file) =>
        [...readFileSync(join(dir, 'out', file), 'utf8').matchAll(/href="(https:\/\/(?:github|gitlab|bitbucket)[^"]*)"/g)].map((m) => m[1]!),
      ),
    );
    return { result, text, warnings: text.split('\n').filter((line) => /\[(warning|error)\]/.test(line)), links: [...links], pages };
  }

  const made: string[] = [];
  afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('with no remote and no repository in package.json: no warning, and pages without source links', () => {
    const dir = checkout(undefined, {});
    made.push(dir);
    const { result, warnings, links, pages, text } = generate(dir);
    expect(warnings).toEqual([]);
    expect(result.status).toBe(0);
    expect(text).toContain('1 entry points, 0 errors, 0 warnings');
    expect(pages.length).toBeGreaterThan(3);
    expect(links).toEqual([]);
  });

  it("with the only remote named upstream: no warning, and every source link on package.json's repository at the checkout's commit", () => {
    const dir = checkout(
      { type: 'git', url: 'git+https://github.com/acme/rancher-ha-aws.git' },
      { upstream: 'https://github.com/someone-else/a-fork.git' },
    );
    made.push(dir);
    const head = runBounded('git', ['rev-parse', 'HEAD'], { cwd: dir }).stdout.trim();
    const { result, warnings, links } = generate(dir);
    expect(warnings).toEqual([]);
    expect(result.status).toBe(0);
    expect(links.length).toBeGreaterThan(3);
    expect(links.filter((link) => !link.startsWith(`https://github.com/acme/rancher-ha-aws/blob/${head}/lib/common/`))).toEqual([]);
    expect(links).toContainEqual(expect.stringMatching(/\/lib\/common\/terraform-data\.ts#L\d+$/));
  });
});
