import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldPaths } from '../app/config/settings-fields';
import { parseSettingsText } from '../app/config/load';
import { adminNetworkLimit } from '../lib/config/deployment-rules';
import { INGRESS_MIGRATION_STEPS } from '../lib/config/rke-ha-schema';
import { DEFAULT_VERSIONS } from '../lib/config/versions';
import { VERSION } from '../lib/synth/version';

// The release's own reading of CHANGELOG.md: the last release, whether a part breaks, the first version that may.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script of this repository, without types
const { lastRelease, breaks, nextBreaking } = require('../scripts/release.js') as {
  lastRelease(changelog: string): string | undefined;
  breaks(part: string): boolean;
  nextBreaking(released: string): string;
};

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
/** The settings file's page (the README's former "Settings" section), with the hand-written table of meanings. */
const settingsPage = readFileSync(join(root, 'docs', 'settings-file.md'), 'utf8');
/** Every page a person reads: the README's first screen and docs/. */
const allDocs = [
  readme,
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => readFileSync(join(root, 'docs', f), 'utf8')),
].join('\n');
const example = readFileSync(join(root, 'rancher.example.yaml'), 'utf8');

describe('docs stay in step with the settings schema', () => {
  const fields = fieldPaths();

  it('lists every settings field in the settings table (docs/settings-file.md)', () => {
    const missing = fields.filter((f) => !settingsPage.includes(`| \`${f}\` |`));
    expect(missing).toEqual([]);
  });

  it('documents every settings field in rancher.example.yaml (set or commented out)', () => {
    const missing = fields.filter((f) => {
      const leaf = f.split('.').pop()!;
      return !new RegExp(`^\\s*#?\\s*${leaf}:`, 'm').test(example);
    });
    expect(missing).toEqual([]);
  });

  // d0e353c's pages said 45 with rkeHa.sshKeyName, while rkeHa.ingressMigration's side ports made it 43.
  it("states adminCidrs' limit for each combination that has its own, as the rules compute it", () => {
    const limit = (servers: Parameters<typeof adminNetworkLimit>[0]) => adminNetworkLimit(servers).max;
    const ssh = { sshKeyName: 'ops' };
    const dns = { loadBalancer: { type: 'dns' } };
    const phrase = (separator: string) =>
      `${limit({})}${separator}${limit(ssh)} with \`rkeHa.sshKeyName\`, ${limit({ ...ssh, ingressMigration: 'beside' })} with it and \`rkeHa.ingressMigration\`, ${limit(dns)} with \`rkeHa.loadBalancer.type: dns\`, ${limit({ ...ssh, ...dns })} with both)`;
    expect(settingsPage).toContain(`at most ${phrase(' (')}`);
    expect(readFileSync(join(root, 'docs', 'pipeline.md'), 'utf8')).toContain(`(${phrase('; ')}`);
    // The combinations not named have a limit the pages name: a move off ingress-nginx changes only the SSH one.
    for (const migration of INGRESS_MIGRATION_STEPS) {
      expect(limit({ ingressMigration: migration })).toBe(limit({}));
      expect(limit({ ...dns, ingressMigration: migration })).toBe(limit(dns));
      expect(limit({ ...ssh, ...dns, ingressMigration: migration })).toBe(limit({ ...ssh, ...dns }));
      expect(limit({ ...ssh, ingressMigration: migration })).toBe(limit({ ...ssh, ingressMigration: 'beside' }));
    }
    expect(limit({ ...ssh, ingressMigration: 'beside' })).toBeLessThan(limit(ssh));
  });

  it('has a settings table row for no field that does not exist', () => {
    const rows = [...settingsPage.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    expect(rows.filter((r) => !fields.includes(r))).toEqual([]);
  });

  it('rancher.example.yaml is valid and its versions are the pinned defaults', () => {
    const parsed = parseSettingsText(example, 'rancher.example.yaml');
    expect(parsed.versions).toEqual({ ...DEFAULT_VERSIONS, releaseSums: {} });
  });

  it('the docs name the pinned versions they describe', () => {
    for (const version of Object.values(DEFAULT_VERSIONS)) expect(allDocs).toContain(version);
  });

  it('README opens with the synth command and the test command', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1];
    expect(firstBlock).toContain('npm ci && npm run synth');
    expect(firstBlock).toContain('bash .ci/run');
    const ci = readFileSync(join(root, '.ci/run'), 'utf8');
    expect(ci).toMatch(/^npm ci\b/m);
    for (const tier of [/\bnpm test\b/, /\bnpm run test:tools\b/, /\bnpm run test:consumer\b/]) expect(ci).toMatch(tier);
  });

  it('README is a first screen: prerequisites, the three ways in, day 2 and destroy, and what to do when the apply fails', () => {
    // Up to the architecture picture at its end, which is looked at, not read (its names: docs/diagrams.test.ts).
    expect(readme.split('\n## Architecture\n')[0].split('\n').length).toBeLessThanOrEqual(70);
    for (const needed of [
      'Node.js 22, 24 or 26',
      'Terraform ≥ 1.10',
      '(docs/deployer-policy.json)',
      'npm run cdktf -- deploy rke-ha',
      'npm run synth:hcl',
      'terraform init',
      'new RancherOnRke(',
      'npm run roll -- rke-ha',
      'npm run teardown -- rke-ha',
      'My first apply failed',
    ]) {
      expect(readme).toContain(needed);
    }
  });

  it("the README and docs/deploy.md's needs name the oldest Node.js release package.json's engines take", () => {
    const engines = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const oldest = /^\^(\d+\.\d+)\.0\b/.exec(engines)![1];
    expect(readme).toContain(`${oldest} or later`);
    const needs = readFileSync(join(root, 'docs', 'deploy.md'), 'utf8').split('\n```')[0];
    expect(needs.replace(/\[Node\.js\]\([^)]*\)/, 'Node.js')).toMatch(new RegExp(`Needs Node\\.js ${oldest.replace('.', '\\.')} or later`));
  });

  // An RDS restore is a new instance with a new endpoint: the page's swap reads the output the stack declares, moves
  // Terraform's state to the restored instance (the servers' endpoint parameter follows it) and ends in the record.
  it("docs/recover.md's K3s datastore restore uses what the product has and ends in rancher-aws-restore --record-only", () => {
    const recover = readFileSync(join(root, 'docs', 'recover.md'), 'utf8');
    const k3s = recover
      .slice(recover.indexOf('**K3s** servers keep no state'), recover.indexOf('**Going back to before an upgrade**'))
      .replace(/[ \n]+/g, ' ');
    expect(readFileSync(join(root, 'app', 'stacks', 'rke-ha.ts'), 'utf8')).toContain("new TerraformOutput(this, 'datastore_address'");
    const steps = ['terraform output -raw datastore_address', 'terraform state rm "$DB" && terraform import "$DB" "$NEW"', 'systemctl start k3s'];
    const at = steps.map((step) => k3s.indexOf(step));
    expect(at.every((i, n) => i >= 0 && (n === 0 || i > at[n - 1]))).toBe(true);
    expect(k3s.indexOf('rancher-aws-restore --record-only')).toBeGreaterThan(at[2]);
    expect(readFileSync(join(root, 'lib', 'kubernetes', 'k3s-restore.sh'), 'utf8')).toContain('--record-only) record_only=true');
  });

  it('README links every page of docs/ (nothing is only findable by browsing the folder)', () => {
    const pages = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md') || f.endsWith('.json'));
    expect(pages.filter((page) => !readme.includes(`(docs/${page}`))).toEqual([]);
  });

  it('runs the cdktf CLI only through scripts/cdktf.js (CHECKPOINT_DISABLE=1, the Terraform binary setting)', () => {
    // The wrapper's environment is checked where it runs: scripts/cdktf-binary.tools.test.ts.
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const cliScripts = Object.entries(scripts).filter(([, command]) => /(^|\s)cdktf(\s|$)|scripts\/cdktf\.js/.test(command));
    expect(cliScripts.map(([name]) => name).sort()).toEqual(['cdktf', 'cdktf:synth', 'synth:hcl']);
    for (const [, command] of cliScripts) expect(command).toMatch(/^node scripts\/cdktf\.js(\s|$)/);

    // Every command line in the README's shell blocks that runs the CLI goes through those scripts.
    const shellLines = [...allDocs.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n')).map((l) => l.replace(/\s+#.*$/, ''));
    const direct = shellLines.filter((l) => /(^|\s)(npx\s+)?cdktf\s+(synth|deploy|destroy|output|diff|get|list|watch)\b/.test(l));
    expect(direct).toEqual([]);
    expect(allDocs).not.toMatch(/npx cdktf/);
    expect(shellLines.some((l) => l.startsWith('npm run cdktf -- deploy '))).toBe(true);
  });

  it('has a LICENSE matching package.json, and one version in package.json, its lock file and what the synth prints', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string; version: string };
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004\s/);
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      version: string;
      packages: Record<string, { version: string }>;
    };
    expect({ lock: lock.version, lockRoot: lock.packages[''].version, synth: VERSION }).toEqual({
      lock: pkg.version,
      lockRoot: pkg.version,
      synth: pkg.version,
    });
  });

  // d0e353c: package.json said 0.4.0 under breaking changes since 0.4.0, and `npm pack` gave a 0.4.0 tarball of them.
  it("names in package.json the version CHANGELOG.md's unreleased changes make (breaking: the next minor before 1.0)", () => {
    const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const released = lastRelease(changelog) as string;
    const unreleased = /^## Unreleased.*\n([\s\S]*?)(?=^## )/m.exec(changelog)![1];
    const version = (v: string) => v.split('.').map(Number);
    const newer = (a: string, b: string) => {
      const [x, y] = [version(a), version(b)];
      const i = x.findIndex((n, j) => n !== y[j]);
      return i !== -1 && x[i] > y[i];
    };
    if (!/^### /m.test(unreleased)) expect(pkg.version).toBe(released);
    else if (breaks(unreleased))
      expect({ version: pkg.version, atLeast: !newer(nextBreaking(released), pkg.version) }).toEqual({ version: pkg.version, atLeast: true });
    else expect(newer(pkg.version, released)).toBe(true);
    expect(nextBreaking('0.4.0')).toBe('0.5.0');
    expect(nextBreaking('1.2.3')).toBe('2.0.0');
  });

  it("names in the README the tarball `npm pack` writes, package.json's version", () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const named = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/rancher-ha-aws-(\d+\.\d+\.\d+)\.tgz/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set([pkg.version]));
  });
});
