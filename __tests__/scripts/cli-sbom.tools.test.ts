import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { opsCli } from '../helpers/fake-cloud';

// The SBOM the build of the operations CLI writes beside its bundle (scripts/build.js cli, scripts/cli-sbom.js): the
// tier's own build (global setup), read as a scanner would, against the lockfile the packages were installed from.

interface Component {
  readonly type: string;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  readonly properties: { name: string; value: string }[];
}

const ROOT = join(__dirname, '..', '..');
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

describe("the operations CLI's SBOM", () => {
  const sbom = JSON.parse(readFileSync(join(dirname(opsCli()), 'sbom.cdx.json'), 'utf8')) as {
    bomFormat: string;
    specVersion: string;
    metadata: { component: { name: string; version: string } };
    components: Component[];
  };

  it('is CycloneDX 1.5 naming the package and its version, with the client, its HTTP stack and the parser at the lockfile versions', () => {
    expect([sbom.bomFormat, sbom.specVersion]).toEqual(['CycloneDX', '1.5']);
    expect(sbom.metadata.component).toMatchObject({ name: own.name, version: own.version });
    const version = (name: string) => sbom.components.filter((c) => c.name === name).map((c) => c.version);
    for (const name of ['@kubernetes/client-node', 'undici', 'commander', 'jsonpath-plus', 'ws', '@aws-sdk/client-ec2', 'hpagent', 'proxy-from-env'])
      expect({ name, versions: version(name) }).toEqual({ name, versions: [lock.packages[`node_modules/${name}`]!.version] });
    expect(sbom.components.find((c) => c.name === '@kubernetes/client-node')!.purl).toBe(
      `pkg:npm/%40kubernetes/client-node@${lock.packages['node_modules/@kubernetes/client-node']!.version}`,
    );
    // Only what was bundled: the library's construct dependencies and the test tools are not in the CLI.
    for (const name of ['cdktf', 'constructs', 'jest', 'esbuild', 'zod']) expect(version(name)).toEqual([]);
  });

  it('gives every component the folder it was bundled from, each a lockfile entry of that version, and every input package once', () => {
    const rows = sbom.components.flatMap((c) =>
      c.properties.filter((p) => p.name === 'rancher-ha-aws:bundled-from').map((p) => [c.name, p.value, c.version, lock.packages[p.value]?.version]),
    );
    expect(rows.filter(([, , version, locked]) => version !== locked)).toEqual([]);
    expect(new Set(rows.map(([, path]) => path)).size).toBe(rows.length);
    expect(sbom.components.every((c) => c.type === 'library' && c.purl.startsWith('pkg:npm/'))).toBe(true);
    // The SDK's clients, the Kubernetes client and what they pull: about seventy packages today.
    expect(sbom.components.length).toBeGreaterThan(50);
  });
});
