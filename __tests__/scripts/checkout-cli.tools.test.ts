import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBounded } from '../helpers/subprocess';

// The real build behind `npm run roll|rotate|...` in a checkout (scripts/build.js checkoutCli, the decision counted in
// builds in checkout-cli.test.ts): its stamp holds what the three esbuild builds read (the entry's, the SDK side's and
// the Kubernetes client's metafiles), a second run builds nothing, and the CLI it keeps answers, --version included (the
// build the package's bin gets, scripts/build.js buildCli).

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script of this repository, without types
const { checkoutCli } = require('../../scripts/build.js') as { checkoutCli(out: string): Promise<{ cli: string; built: boolean }> };

describe('scripts/build.js checkoutCli, with esbuild', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'rancher-checkout-cli-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stamps the inputs of all three bundles (a package's by its package.json), builds once, and the CLI answers", async () => {
    const out = join(dir, '.ops-cli');
    const first = await checkoutCli(out);
    expect(first).toEqual({ cli: join(out, 'main.js'), built: true });
    const stamp = JSON.parse(readFileSync(join(out, 'stamp.json'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
    const inputs = Object.keys(stamp.inputs);
    expect(inputs).toEqual(
      expect.arrayContaining([
        'cli/main.ts',
        'cli/command-line.ts',
        'cli/shared/aws/sdk-side.ts',
        'cli/teardown/teardown-aws.ts',
        'cli/shared/kube/kube-api.ts',
        'package-lock.json',
        'package.json',
        'scripts/build.js',
      ]),
    );
    for (const pkg of ['@aws-sdk/client-ec2', '@kubernetes/client-node', 'commander'])
      expect(inputs.some((file) => file.endsWith(`node_modules/${pkg}/package.json`))).toBe(true);
    // No package's other files: one entry a package.
    expect(
      inputs.filter((file) => file.includes('node_modules/') && !file.endsWith('/package.json') && !file.endsWith('/.package-lock.json')),
    ).toEqual([]);
    expect(Object.keys(stamp.outputs).sort()).toEqual(['aws-sdk.js', 'kube-api.js', 'main.js', 'sbom.cdx.json']);
    expect(await checkoutCli(out)).toEqual({ cli: first.cli, built: false });
    const help = runBounded(process.execPath, [first.cli, 'roll', '--help']);
    expect({ code: help.status, first: help.stdout.split('\n')[0] }).toEqual({ code: 0, first: 'Usage: rancher-ha-aws roll [options] [stack]' });
  });

  it("--version: package.json's version, carried by the bundle (it runs from a folder with no package.json above it)", () => {
    const cli = join(dir, '.ops-cli', 'main.js');
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = runBounded(process.execPath, [cli, flag], { cwd: dir });
      expect({ code: run.status, out: run.stdout, err: run.stderr }).toEqual({ code: 0, out: `${version}\n`, err: '' });
    }
    // The constant alone: none of package.json's other fields rides along.
    expect(readFileSync(cli, 'utf8')).not.toContain('Rancher server in high availability on AWS, as CDKTF');
  });
});
