import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsOf, FakeCloud, stateOf } from '../helpers/fake-cloud';
import { nodeBinary, OTHER_LINES } from '../helpers/node-versions';
import { commandLine, runBounded } from '../helpers/subprocess';

/**
 * examples/platform-app as a platform team would build it: against the
 * package `npm pack` makes (so what `files`, `exports` and the declarations
 * ship is what is tested), type-checked with the example's strict tsconfig
 * (exactOptionalPropertyTypes, noUncheckedIndexedAccess, skipLibCheck off)
 * and with the tsconfig `cdktf init --template=typescript` writes (module
 * CommonJS with node resolution, which reads `typesVersions`, not `exports`),
 * run with plain node, and bundled with esbuild and run from a folder without
 * node_modules. Installed by unpacking the tarball into node_modules, as npm
 * does, with the peer packages linked from this checkout (no registry here).
 * `npm run test:consumer` (and .ci/run); kept out of `npm test`, which it
 * would slow by a declarations build and a second type-check.
 */

const ROOT = join(__dirname, '..', '..');
const MODULES = join(ROOT, 'node_modules');
/**
 * The library's peers: the core by both names (the app's `cdktf`, and `cdktn`, which CDK Terrain's bindings load),
 * constructs, and the six bindings: aws and random from CDK Terrain, the four the registry serves no @cdktn binding of
 * from CDKTF (docs/toolchain.md, "One core").
 */
const PEERS = [
  'cdktf',
  'cdktn',
  'constructs',
  ...['helm', 'http', 'kubernetes', 'tls'].map((p) => `@cdktf/provider-${p}`),
  ...['aws', 'random'].map((p) => `@cdktn/provider-${p}`),
];
const BINDINGS = PEERS.filter((name) => /^@cdkt[fn]\//.test(name));
/** CDKTF's last release, the core of the apps the library's peers still admit. */
const CDKTF = '0.21.0';
/**
 * The app on CDK Terrain, the maintained fork of cdktf: cdktn under the name `cdktf` (the library and the @cdktf
 * bindings load their core by that name, and helm, kubernetes, tls and http have no @cdktn bindings on the registry
 * these machines reach), constructs at the floor of the library's peer range, inside cdktn's own
 * (`>=10.6.0 <10.8.0`). docs/toolchain.md, "CDK Terrain".
 */
const CDKTN = { version: '0.24.0', constructs: '10.6.0' } as const;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  exports: Record<string, { default?: string } | string>;
};

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  // A time limit that ends it throws, naming the command and the limit (helpers/subprocess.ts).
  const result = runBounded(command, args, { cwd, env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env } });
  if (result.status !== 0) {
    const how = result.status === null ? `was killed by ${result.signal ?? 'a signal'}` : `failed (exit ${result.status})`;
    throw new Error(`${commandLine(command, args)} ${how}:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** The tsconfig.json `cdktn init --template=typescript` writes, from the pinned cdktn-cli (the same as cdktf-cli 0.21's). */
const CDKTF_TEMPLATE_TSCONFIG = join(MODULES, 'cdktn-cli', 'bundle', 'templates', 'typescript', 'tsconfig.json');

const link = (app: string, name: string) => {
  mkdirSync(join(app, 'node_modules', name, '..'), { recursive: true });
  symlinkSync(join(MODULES, name), join(app, 'node_modules', name));
};

/** The tarball `npm pack` made, once for this file's two apps; removed after both. */
let packed: { readonly dir: string; readonly tarball: string; readonly files: string[] } | undefined;

function packLibrary(): NonNullable<typeof packed> {
  if (packed) return packed;
  const dir = mkdtempSync(join(tmpdir(), 'rancher-packed-'));
  // `npm pack` runs prepack: the library build (dist/lib with declarations) and the CLI's (dist/cli/main.js).
  const [result] = JSON.parse(run('npm', ['pack', '--pack-destination', dir, '--json', '--silent'], ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  packed = { dir, tarball: join(dir, result!.filename), files: result!.files.map((f) => f.path) };
  return packed;
}

afterAll(() => {
  if (packed) rmSync(packed.dir, { recursive: true, force: true });
});

/**
 * Two mistakes TypeScript lets through (nodeCount's type allows 2, which only K3s on a database takes; a Graviton type
 * with x86_64 asked for), in a file of the app built with cdktf's template tsconfig: the construct refuses each at
 * synth, naming the props as this file wrote them, not the settings file's `rkeHa.` paths.
 */
const MISTAKES = [
  "import { App, TerraformStack } from 'cdktf';",
  "import { RancherOnRke, type RancherOnRkeProps } from 'rancher-ha-aws';",
  "import { configureBaseProviders } from 'rancher-ha-aws/common';",
  'const base: RancherOnRkeProps = { name: "acme", hostname: "rancher.platform.acme.io", hostedZone: "platform.acme.io", adminCidrs: ["10.8.0.0/24"] };',
  'const mistakes: [string, Partial<RancherOnRkeProps>][] = [',
  '  ["even", { nodeCount: 2 }],',
  '  ["graviton", { instanceType: "m7g.xlarge", architecture: "x86_64" }],',
  '];',
  'for (const [id, props] of mistakes) {',
  '  const stack = new TerraformStack(new App(), id);',
  "  configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });",
  '  try {',
  "    new RancherOnRke(stack, 'rancher', { ...base, ...props });",
  '    console.log(`${id}: accepted`);',
  '  } catch (error) {',
  '    console.log(`${id}: ${(error as Error).message}`);',
  '  }',
  '}',
].join('\n');

type Json = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, unknown>;
  terraform: Record<string, unknown>;
};

describe('examples/platform-app, built from the packed library', () => {
  let dir: string;
  let files: string[] = [];
  let synthesized: Json;
  let bundled: Json;
  let templateBuild: { status: number | null; stdout: string };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rancher-consumer-'));
    const packed = packLibrary();
    files = packed.files;

    const app = join(dir, 'app');
    cpSync(join(ROOT, 'examples', 'platform-app'), app, { recursive: true });
    mkdirSync(join(app, 'node_modules'));
    run('tar', ['-xzf', packed.tarball, '-C', join(app, 'node_modules')], dir);
    run('mv', [join(app, 'node_modules', 'package'), join(app, 'node_modules', pkg.name)], dir);
    for (const name of [...PEERS, ...Object.keys(pkg.dependencies), 'typescript', '@types/node']) link(app, name);

    run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], app);
    // cdktf's template as the CLI writes it (only main.ts and the props mistakes' file included: the app's
    // node_modules hold the links to this checkout). One compile for both: each tsc loads the library's, cdktf's and
    // the providers' declarations, most of its cost.
    writeFileSync(join(app, 'mistakes.ts'), MISTAKES);
    const template = JSON.parse(readFileSync(CDKTF_TEMPLATE_TSCONFIG, 'utf8')) as { compilerOptions: Record<string, unknown> };
    writeFileSync(
      join(app, 'tsconfig.cdktf.json'),
      JSON.stringify({
        // `types: ['node']`: from TypeScript 6.0 `types` defaults to none rather than every @types package in
        // node_modules, so under the template as written (no `types`) mistakes.ts's `console` is unknown (TS2584), as it
        // is in any app the template starts that uses Node's globals; the app names the declarations it uses.
        compilerOptions: { ...template.compilerOptions, types: ['node'], incremental: false, outDir: 'template-out' },
        files: ['main.ts', 'mistakes.ts'],
      }),
    );
    templateBuild = runBounded(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.cdktf.json'], { cwd: app });
    run(process.execPath, ['dist/main.js'], app);
    synthesized = JSON.parse(readFileSync(join(app, 'cdktf.out', 'stacks', 'platform', 'cdk.tf.json'), 'utf8')) as Json;

    // A consumer that bundles: everything, the node scripts included, in one file run from an empty folder.
    const bundleDir = join(dir, 'bundle');
    run(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(join(MODULES, 'esbuild'))}).buildSync({ entryPoints: ['dist/main.js'], bundle: true, platform: 'node', outfile: ${JSON.stringify(join(bundleDir, 'main.js'))}, logLevel: 'error' })`,
      ],
      app,
    );
    run(process.execPath, ['main.js'], bundleDir);
    bundled = JSON.parse(readFileSync(join(bundleDir, 'cdktf.out', 'stacks', 'platform', 'cdk.tf.json'), 'utf8')) as Json;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('packs the built library with its declarations and the bundled CLI, and no sources, tests or scripts', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/lib/deployments/rancher-on-rke.d.ts',
      ]),
    );
    // main.js, and the SDK side (the teardown's AWS side with it) and the Kubernetes client it loads only when a run
    // reaches them (scripts/build.js), and their SBOM.
    expect(files.filter((f) => !f.startsWith('dist/lib/') && !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(f))).toEqual([
      'dist/cli/aws-sdk.js',
      'dist/cli/kube-api.js',
      'dist/cli/main.js',
      // The packages bundled into those three, with their versions (scripts/cli-sbom.js; docs/security.md).
      'dist/cli/sbom.cdx.json',
    ]);
    // The CLI is a program beside the library, not one of its modules.
    expect(files.filter((f) => f.startsWith('dist/lib/ops/'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.sh') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    // Every domain entry point of `exports` is in the package.
    const exported = Object.values(pkg.exports);
    for (const entry of exported) if (typeof entry === 'object' && entry.default) expect(files).toContain(entry.default.replace(/^\.\//, ''));
  });

  it('type-checks under the tsconfig cdktf init writes (module CommonJS, node resolution): rancher-ha-aws/common resolves, and the methods an app extends the deployment with', () => {
    const template = JSON.parse(readFileSync(CDKTF_TEMPLATE_TSCONFIG, 'utf8')) as { compilerOptions: Record<string, unknown> };
    expect(template.compilerOptions.module).toBe('CommonJS');
    expect(template.compilerOptions.moduleResolution).toBeUndefined();
    const main = readFileSync(join(ROOT, 'examples', 'platform-app', 'main.ts'), 'utf8');
    expect(main).toContain("from 'rancher-ha-aws/common'");
    expect(main).toContain('rancher.addAlarm(');
    expect(main).toContain('rancher.addHelmChart(');
    expect({ status: templateBuild.status, errors: templateBuild.stdout }).toEqual({ status: 0, errors: '' });
  });

  it("reaches no zod declaration and no private/ one from any entry point, and every type it uses can be named: a consumer compiles none of zod's types (the settings schemas are the app's)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { publicSurface } = require('../../scripts/public-surface.js') as {
      publicSurface(dir: string): {
        names: Record<string, string[]>;
        declarations: string[];
        zod: string[];
        privateDeclarations: string[];
        unnamedTypes: string[];
      };
    };
    const surface = publicSurface(join(dir, 'app', 'node_modules', pkg.name));
    expect(surface.declarations).toContain('dist/lib/deployments/rancher-on-rke.d.ts');
    expect(surface.names['.']).toEqual(expect.arrayContaining(['RancherOnRke', 'RancherOnRkeProps', 'RancherOnExistingCluster', 'RancherOnDocker']));
    expect(surface.zod).toEqual([]);
    // Every type a public signature uses has an entry point, and no private/ declaration ships.
    expect({ privateDeclarations: surface.privateDeclarations, unnamedTypes: surface.unnamedTypes }).toEqual({
      privateDeclarations: [],
      unnamedTypes: [],
    });
  });

  it('maps every exports subpath for resolvers that read typesVersions instead', () => {
    const versions = (pkg as unknown as { typesVersions: Record<string, Record<string, string[]>> }).typesVersions['*'];
    const subpaths = Object.entries(pkg.exports).filter(([key]) => key !== '.' && key !== './package.json');
    expect(Object.keys(versions).sort()).toEqual(subpaths.map(([key]) => key.slice(2)).sort());
    for (const [key, entry] of subpaths) expect(versions[key.slice(2)]).toEqual([(entry as { types: string }).types.slice(2)]);
  });

  it('declares cdktf, constructs and the providers as peers, from the versions tested here: cdktf 0.21 and cdktn 0.24 (as cdktf), constructs from the floor the cdktn app installs', () => {
    for (const peer of BINDINGS) expect(pkg.peerDependencies[peer]).toBe(`^${pkg.devDependencies[peer]}`);
    expect(pkg.peerDependencies.cdktf).toBe(`^${CDKTF} || ^${CDKTN.version}`);
    expect([pkg.peerDependencies.cdktn, pkg.devDependencies.cdktn]).toEqual([`^${CDKTN.version}`, CDKTN.version]);
    expect(pkg.peerDependencies.constructs).toBe(`^${CDKTN.constructs}`);
    // The floor is below what this checkout builds with, and inside cdktn's own range (>=10.6.0 <10.8.0).
    expect(pkg.devDependencies.constructs!.localeCompare(CDKTN.constructs, 'en', { numeric: true })).toBe(1);
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['yaml', 'zod']);
  });

  // A range that leaves out the version packed here (^0.4.0 of 0.5.0: a caret below 1.0 holds the minor) sends a
  // reader who installs the example from the registry to another release than the one its docs and CHANGELOG describe.
  it('asks for the version of the package it is built from (scripts/release.js keeps the two in step)', () => {
    const example = JSON.parse(readFileSync(join(ROOT, 'examples', 'platform-app', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(example.dependencies[pkg.name]).toBe(`^${pkg.version}`);
    expect(packLibrary().tarball).toMatch(new RegExp(`${pkg.name}-${pkg.version.replace(/\./g, '\\.')}\\.tgz$`));
  });

  it("synthesizes the team's stack: the deployment under the construct's id, beside the team's own topic", () => {
    const instances = Object.keys(synthesized.resource.aws_instance ?? {});
    expect(instances).toHaveLength(3);
    expect(instances.every((name) => name.startsWith('rancher_server-'))).toBe(true);
    const { 'rancher-alerts': alerts, ...topics } = synthesized.resource.aws_sns_topic;
    expect(alerts).toEqual(expect.objectContaining({ name: 'acme-rancher-alerts' }));
    // The deployment's own alarm topics (alarms on by default; eu-west-1, so one in us-east-1 too for the Route53 alarms).
    expect(Object.keys(topics).sort()).toEqual([
      expect.stringMatching(/^rancher_alarms_topic_/),
      expect.stringMatching(/^rancher_alarms_us-east-1-topic_/),
    ]);
    expect(Object.keys(synthesized.output).sort()).toEqual(['alerts_topic_arn', 'rancher_bootstrap_password', 'rancher_url']);
    // The team's alarms through RancherOnRke.addAlarm: on each server's metric, named after the deployment, notifying
    // its topic once Rancher answered.
    const alarms = Object.entries(synthesized.resource.aws_cloudwatch_metric_alarm ?? {}).filter(([name]) =>
      /^rancher_alarms_server-\d-cpu_/.test(name),
    );
    expect(alarms.map(([, a]) => a.alarm_name).sort()).toEqual([
      'acme-platform-server-0-cpu',
      'acme-platform-server-1-cpu',
      'acme-platform-server-2-cpu',
    ]);
    const topic = Object.keys(topics).find((name) => name.startsWith('rancher_alarms_topic_'));
    for (const [, alarm] of alarms) {
      expect(alarm).toMatchObject({ metric_name: 'CPUUtilization', threshold: 90, alarm_actions: [`\${aws_sns_topic.${topic}.arn}`] });
      expect(alarm.depends_on).toEqual([expect.stringMatching(/^data\.http\.rancher_rancher-readiness_ping_/)]);
    }
    expect(synthesized.terraform.backend).toEqual({ s3: expect.objectContaining({ bucket: 'acme-terraform-state' }) });
  });

  it("carries the props into what it builds (private nodes behind one NAT, Let's Encrypt, names from <name>-<stack id>)", () => {
    expect(Object.keys(synthesized.resource.aws_nat_gateway ?? {})).toHaveLength(1);
    expect(Object.values(synthesized.resource.aws_lb ?? {}).map((lb) => lb.name)).toEqual(['acme-platform']);
    const releases: string[] = Object.values(synthesized.resource.helm_release ?? {}).map((r) => String(r.chart));
    // The charts, and the releases of the gate chart the module carries under assets/: the four readiness gates and
    // the first and recurring Backups (lib/rancher/backup-object-jobs.ts).
    const gates = releases.filter((chart) => chart.startsWith('${path.module}/assets/'));
    expect(gates).toHaveLength(6);
    // The team's own chart (RancherOnRke.addHelmChart) beside the deployment's.
    expect(releases.filter((chart) => !gates.includes(chart)).sort()).toEqual([
      'cert-manager',
      'podinfo',
      'rancher',
      'rancher-backup',
      'rancher-backup-crd',
    ]);
    const podinfo = Object.entries(synthesized.resource.helm_release ?? {}).find(([name]) => name.startsWith('rancher_helm-chart-podinfo_'))![1];
    expect(podinfo).toMatchObject({
      name: 'podinfo',
      version: '6.7.1',
      namespace: 'platform-status',
      depends_on: [expect.stringMatching(/^data\.http\.rancher_rancher-readiness_ping_/)],
    });
  });

  it('ships the operations CLI as the `rancher-ha-aws` binary, which runs on a synthesized module with only the package installed', () => {
    const bin = (pkg as unknown as { bin: Record<string, string> }).bin['rancher-ha-aws'];
    expect(files).toContain(bin);
    const cli = join(dir, 'app', 'node_modules', pkg.name, bin);
    expect(run(process.execPath, [cli, '--help'], dir)).toContain('teardown');
    // The consumer's own module, with a state as after its apply, against the stubbed terraform and aws.
    const state = stateOf(synthesized as never);
    const cloud = new FakeCloud(synthesized as never, { state, aws: awsOf(state) });
    const dryRun = cloud.run(['teardown', '--dir', 'module', '--dry-run'], { cli });
    expect(dryRun).toMatchObject({ code: 0, err: '' });
    expect(dryRun.out).toContain('Dry run: nothing was changed.');
    cloud.remove();
  });

  // MISTAKES, compiled with main.ts in the beforeAll.
  it("refuses two props mistakes at synth in the props' own words, built under the tsconfig cdktf init writes", () => {
    expect({ status: templateBuild.status, errors: templateBuild.stdout }).toEqual({ status: 0, errors: '' });
    const out = run(process.execPath, [join('template-out', 'mistakes.js')], join(dir, 'app'));
    const [even, graviton] = out.split(/\n(?=graviton: )/);
    expect(even).toMatch(/^even: Invalid props of RancherOnRke[^]*- nodeCount: expected 1 or 3 with rke2/);
    expect(graviton).toMatch(/^graviton: Invalid props of RancherOnRke[^]*- (architecture|instanceType): [^\n]*m7g\.xlarge/);
    expect(out).not.toContain('rkeHa.');
  });

  it('gives the same Terraform when bundled (the node scripts are inlined, nothing is read beside the code)', () => {
    expect(bundled).toEqual(synthesized);
  });

  // The build made here, run on each Node.js line package.json's `engines` names but the tests' own (official binaries
  // from the npm registry, helpers/node-versions.ts): the same cdk.tf.json, byte for byte. The build, not the bundle: what a
  // line can change for a consumer is how node loads the packed package (its `exports`, its requires between
  // modules), which only the build goes through; the bundle is the same code in one file, run here on the tests'
  // Node.js, and an esbuild bundle of the library on each line is node-versions.tools.test.ts's (the app's synth).
  it.each(OTHER_LINES)('runs on Node.js %s, built, writing the same cdk.tf.json byte for byte', (line) => {
    const node = nodeBinary(line);
    const app = join(dir, 'app');
    const stackFile = join(app, 'cdktf.out', 'stacks', 'platform', 'cdk.tf.json');
    const before = readFileSync(stackFile, 'utf8');
    rmSync(join(app, 'cdktf.out'), { recursive: true, force: true });
    run(node, ['dist/main.js'], app);
    expect(readFileSync(stackFile, 'utf8')).toBe(before);
  });
});

// A platform team whose app is on CDK Terrain installs the packed library with npm, as it would from a registry:
// cdktn as `cdktf` (an npm alias) and one `overrides` entry, `"cdktf": "$cdktf"`, so the @cdktf bindings' own peer
// `cdktf ^0.21.0` takes the alias too (npm checks an overridden edge against the override). No --legacy-peer-deps,
// and --strict-peer-deps makes any peer the tree does not satisfy an error: the library's peer ranges must admit
// cdktn and the constructs it asks for. The bindings come in as the library's peers, so npm resolves them with the
// rest and --omit=peer leaves their 600 MB off the disk: the same versions are linked from this checkout, and the app
// runs with --preserve-symlinks so that they, like the library, load the app's cdktf (cdktn), as
// __tests__/cdktn.tools.test.ts runs them. cdktn 0.24 runs on Node.js 22 (its CLI asks for >= 22.19).
describe('examples/platform-app on CDK Terrain (cdktn 0.24.0 as cdktf), the packed library installed by npm with strict peer dependencies', () => {
  type Lock = { packages: Record<string, { name?: string; version?: string; peer?: boolean }> };
  let dir: string;
  let app: string;
  let lock: Lock;
  let build: { status: number | null; stdout: string };
  let onCdktn: string;
  let onCdktf: string;
  const bindings = BINDINGS;
  const stackFile = (folder: string) => join(folder, 'cdktf.out', 'stacks', 'platform', 'cdk.tf.json');

  beforeAll(() => {
    const { tarball } = packLibrary();
    dir = mkdtempSync(join(tmpdir(), 'rancher-consumer-cdktn-'));
    app = join(dir, 'app');
    cpSync(join(ROOT, 'examples', 'platform-app'), app, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const own = Object.entries(manifest.dependencies).filter(([name]) => !bindings.includes(name));
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        ...manifest,
        dependencies: {
          ...Object.fromEntries(own),
          cdktf: `npm:cdktn@${CDKTN.version}`,
          // The @cdktn bindings' own core (--omit=peer leaves the library's peers off the disk).
          cdktn: CDKTN.version,
          constructs: CDKTN.constructs,
          [pkg.name]: `file:${tarball}`,
        },
        devDependencies: {},
        overrides: { cdktf: '$cdktf' },
      }),
    );
    run('npm', ['install', '--strict-peer-deps', '--omit=peer', '--no-audit', '--no-fund', '--prefer-offline'], app);
    lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as Lock;
    // With --preserveSymlinks, @types/node's own dependency resolves from the app's node_modules too.
    for (const name of [...bindings, 'typescript', '@types/node', 'undici-types']) link(app, name);

    // The example's strict tsconfig (skipLibCheck off), against cdktn's declarations.
    build = runBounded(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.', '--preserveSymlinks'], { cwd: app });
    const node22 = nodeBinary('22');
    if (build.status === 0) {
      run(node22, ['--preserve-symlinks', 'dist/main.js'], app);
      onCdktn = readFileSync(stackFile(app), 'utf8');
      // The same build in a cdktf 0.21.0 app: cdktf 0.21.0 installed from the registry as the app's core, cdktn beside
      // it for the @cdktn bindings (two cores, as such an app has them), every other package the first app's.
      const other = join(dir, 'on-cdktf');
      mkdirSync(join(other, 'node_modules', '@cdktf'), { recursive: true });
      mkdirSync(join(other, 'node_modules', '@cdktn'), { recursive: true });
      writeFileSync(join(other, 'package.json'), JSON.stringify({ private: true, dependencies: { cdktf: CDKTF } }));
      run('npm', ['install', '--omit=peer', '--no-audit', '--no-fund', '--prefer-offline'], other);
      cpSync(join(app, 'dist'), join(other, 'dist'), { recursive: true });
      for (const name of [pkg.name, ...Object.keys(pkg.dependencies), ...bindings, 'cdktn', 'constructs'])
        symlinkSync(join(app, 'node_modules', name), join(other, 'node_modules', name));
      run(node22, ['--preserve-symlinks', 'dist/main.js'], other);
      onCdktf = readFileSync(stackFile(other), 'utf8');
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('npm resolves the tree without a peer conflict: cdktn as cdktf, constructs at the floor, the packed library, and the six bindings as its peers at the versions pinned here', () => {
    expect(lock.packages['node_modules/cdktf']).toMatchObject({ name: 'cdktn', version: CDKTN.version });
    expect(lock.packages['node_modules/constructs']).toMatchObject({ version: CDKTN.constructs });
    expect(lock.packages[`node_modules/${pkg.name}`]).toMatchObject({ version: pkg.version });
    for (const binding of bindings)
      expect({ binding, ...lock.packages[`node_modules/${binding}`] }).toMatchObject({ binding, version: pkg.devDependencies[binding], peer: true });
  });

  it("type-checks under the example's strict tsconfig against cdktn's declarations", () => {
    expect({ status: build.status, errors: build.stdout }).toEqual({ status: 0, errors: '' });
  });

  it('synthesizes the JSON cdktf 0.21.0 does, only the version cdktn writes into the metadata naming it', () => {
    expect({ built: build.status, onCdktn: typeof onCdktn, onCdktf: typeof onCdktf }).toEqual({ built: 0, onCdktn: 'string', onCdktf: 'string' });
    const [cdktn, cdktf] = [onCdktn, onCdktf].map((text) => JSON.parse(text) as Json & { '//': { metadata: { version: string } } });
    expect([cdktn!['//'].metadata.version, cdktf!['//'].metadata.version]).toEqual([CDKTN.version, CDKTF]);
    cdktn!['//'].metadata.version = cdktf!['//'].metadata.version;
    expect(cdktn).toEqual(cdktf);
    expect(Object.keys(cdktn!.resource.aws_instance ?? {})).toHaveLength(3);
  });
});
