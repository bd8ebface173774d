import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { VERSION } from '../lib/synth/version';
import { runApp, STACK_TRACE_LINE } from './helpers/app-process';

/** The app as `cdktf synth` runs it, from a fresh working directory: what a person sees. */

const INVALID_DIR = resolve(__dirname, 'fixtures/invalid');
const RUN_TIMEOUT_MS = 60_000;

/**
 * stderr without the synth's warnings on the pinned releases' sums recorded from one record (unconfirmedSumWarning,
 * held by __tests__/app/stacks/unconfirmed-facts.test.ts): what a bump of the pins may add or take away.
 */
const withoutPinWarnings = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => !/^Warning: [a-z-]+: versions\.(rke2|k3s) \S+ on (amd64|arm64): the SHA-256 of .* comes from one record/.test(line))
    .join('\n');

describe('main.ts', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'rancher-main-'));
  });
  afterEach(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  describe('with invalid settings', () => {
    it(
      'exits 1, names every wrong field on stderr without a stack trace, and writes no cdktf.out',
      () => {
        const result = runApp(cwd, { RANCHER_CONFIG: join(INVALID_DIR, 'several-mistakes.yaml') });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain('Invalid settings in');
        for (const field of [
          'name',
          'region',
          'hostname',
          'adminCidrs.0',
          'rkeHa.instanceType',
          'rkeHa.etcdSnapshots.forceDestroy',
          'rancher.replicas',
        ]) {
          expect(result.stderr).toContain(`  - ${field}: `);
        }
        expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
        expect(existsSync(join(cwd, 'cdktf.out'))).toBe(false);
      },
      RUN_TIMEOUT_MS,
    );

    it(
      'exits 1 on a YAML syntax error, naming (file), without a stack trace or cdktf.out',
      () => {
        const result = runApp(cwd, { RANCHER_CONFIG: join(INVALID_DIR, 'yaml-syntax-error.yaml') });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain('(file): YAML');
        expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
        expect(existsSync(join(cwd, 'cdktf.out'))).toBe(false);
      },
      RUN_TIMEOUT_MS,
    );

    it(
      'exits 2 (settings file unusable) when RANCHER_CONFIG names a missing file, naming that file, and writes no cdktf.out',
      () => {
        const result = runApp(cwd, { RANCHER_CONFIG: 'missing-settings.yaml' });
        expect(result.status).toBe(2);
        expect(result.stderr).toContain('missing-settings.yaml');
        expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
        expect(existsSync(join(cwd, 'cdktf.out'))).toBe(false);
      },
      RUN_TIMEOUT_MS,
    );

    it(
      'reads an invalid rancher.yaml from the working directory and exits 1',
      () => {
        writeFileSync(join(cwd, 'rancher.yaml'), 'rkeHa:\n  instanceType: m6i\n');
        const result = runApp(cwd);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain('Invalid settings in rancher.yaml');
        expect(result.stderr).toContain('rkeHa.instanceType: ');
        expect(result.stderr).toContain('(got "m6i")');
        expect(existsSync(join(cwd, 'cdktf.out'))).toBe(false);
      },
      RUN_TIMEOUT_MS,
    );
  });

  describe('without a domain (dns.mode wildcard)', () => {
    it(
      'synthesizes the quick start file with no variable left to set',
      () => {
        const result = runApp(cwd, { RANCHER_CONFIG: resolve(__dirname, '..', 'examples', 'no-domain.yaml') });
        // Nothing but the pins' own word where a release sum comes from one record (docs/settings.md, "Unconfirmed here").
        expect(withoutPinWarnings(result.stderr)).toBe('');
        expect(result.status).toBe(0);
        // rke-ha first: nothing to pass (k8s-ha, which has no address of its own, keeps its variables).
        expect(result.stdout).toContain('  cd cdktf.out/stacks/rke-ha && terraform init && terraform plan\n');
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "prints the Let's Encrypt warning of each stack that would issue on the shared domain, and still synthesizes",
      () => {
        writeFileSync(
          join(cwd, 'rancher.yaml'),
          'dns:\n  mode: wildcard\nrancher:\n  tls:\n    issuer: acme\n    acme:\n      email: ops@acme.io\ndocker:\n  tls:\n    issuer: acme\n',
        );
        const result = runApp(cwd);
        expect(result.status).toBe(0);
        const warnings = withoutPinWarnings(result.stderr)
          .split('\n')
          .filter((line) => line.startsWith('Warning: '));
        expect(warnings).toEqual([
          expect.stringMatching(
            /^Warning: rke-ha: rancher\.tls\.issuer acme with dns\.mode wildcard: Let's Encrypt limits certificates per registered domain, and sslip\.io is not on the Public Suffix List/,
          ),
          expect.stringMatching(/^Warning: docker: tls\.issuer acme with dns\.mode wildcard: /),
        ]);
        expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
        // The cdktf CLI prints them from the manifest.
        const manifest = JSON.parse(readFileSync(join(cwd, 'cdktf.out', 'manifest.json'), 'utf8')) as {
          stacks: Record<string, { annotations: { level: string }[] }>;
        };
        // The Let's Encrypt warning, and the pins' own where a sum comes from one record.
        const pinWarnings = result.stderr.split('\n').filter((line) => line.startsWith('Warning: rke-ha: versions.')).length;
        expect(manifest.stacks['rke-ha'].annotations.map((a) => a.level)).toEqual(Array(1 + pinWarnings).fill('@cdktf/warn'));
      },
      RUN_TIMEOUT_MS,
    );
  });

  describe('with no settings file', () => {
    it(
      'exits 0, synthesizes the stacks into cdktf.out under the working directory and says where, and what next',
      () => {
        const result = runApp(cwd);
        expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
        expect(result.status).toBe(0);
        const stackJson = join(cwd, 'cdktf.out', 'stacks', 'rke-ha', 'cdk.tf.json');
        expect(existsSync(stackJson)).toBe(true);
        const json = JSON.parse(readFileSync(stackJson, 'utf8')) as { resource?: Record<string, unknown> };
        expect(Object.keys(json.resource ?? {}).length).toBeGreaterThan(0);
        // The App default outdir (cdktf.out) resolves against the working directory.
        expect(existsSync(join(cwd, 'cdktf.out', 'manifest.json'))).toBe(true);
        // Local state will hold secrets: each stack's file exists before Terraform writes it, owner-only.
        for (const stack of ['rke-ha', 'k8s-ha', 'docker']) {
          expect(statSync(join(cwd, `terraform.${stack}.tfstate`)).mode & 0o777).toBe(0o600);
        }
        // Which stacks went where, and what to run next with the variables still to set.
        expect(result.stdout).toBe(
          [
            'Settings: none read (no rancher.yaml here, RANCHER_CONFIG unset): every default',
            `rancher-ha-aws ${VERSION}: 3 Terraform root modules (cdk.tf.json, Terraform >= 1.10):`,
            '  rke-ha  cdktf.out/stacks/rke-ha',
            '  k8s-ha  cdktf.out/stacks/k8s-ha',
            '  docker  cdktf.out/stacks/docker',
            "Next: npm run cdktf -- deploy rke-ha, or plain Terraform in the stack's folder:",
            "  cd cdktf.out/stacks/rke-ha && terraform init && terraform plan -var 'rancher_hostname=rancher.<your zone>' -var 'route53_zone_name=<your Route53 zone>'",
            "adminCidrs is empty (rke-ha): each plan admits this machine's public address, as https://checkip.amazonaws.com answers it, to the Kubernetes API and SSH.",
            "  Behind a NAT with several public addresses (a pool) that is one of them at random: set adminCidrs to the NAT's range (the plan stops if two lookups differ).",
            '',
          ].join('\n'),
        );
      },
      RUN_TIMEOUT_MS,
    );

    it(
      'exits 2 instead of using every default when only rancher.yml (a near name) is there, and writes no cdktf.out',
      () => {
        writeFileSync(join(cwd, 'rancher.yml'), 'region: eu-west-1\n');
        const result = runApp(cwd);
        expect(result.status).toBe(2);
        expect(result.stderr).toContain(
          'Cannot use the settings file rancher.yaml (1 problem):\n  - (file): does not exist, but rancher.yml does: rename it',
        );
        expect(existsSync(join(cwd, 'cdktf.out'))).toBe(false);
      },
      RUN_TIMEOUT_MS,
    );
  });

  it(
    "writes byte-identical stacks with cdktf's token traces (RANCHER_DEBUG=1) and without them (the default: main.ts skips them)",
    () => {
      const stacks = (env: Record<string, string>) => {
        const out = join(cwd, env.RANCHER_DEBUG ? 'traced' : 'plain');
        const result = runApp(cwd, { ...env, CDKTF_OUTDIR: out });
        expect({ status: result.status, stderr: withoutPinWarnings(result.stderr) }).toEqual({ status: 0, stderr: '' });
        return Object.fromEntries(
          ['rke-ha', 'k8s-ha', 'docker'].map((stack) => [stack, readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')]),
        );
      };
      const plain = stacks({});
      expect(Object.values(plain).every((text) => text.length > 10_000)).toBe(true);
      expect(stacks({ RANCHER_DEBUG: '1' })).toEqual(plain);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'names the settings file it read in the summary',
    () => {
      writeFileSync(join(cwd, 'rancher.yaml'), 'region: eu-west-1\n');
      const result = runApp(cwd);
      expect(result.status).toBe(0);
      expect(result.stdout.split('\n')[0]).toBe('Settings: rancher.yaml');
    },
    RUN_TIMEOUT_MS,
  );
});
