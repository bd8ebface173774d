// scripts/cli-sbom.js: the CLI bundle's packages from esbuild's metafiles, as a CycloneDX 1.5 document. Pure
// JavaScript over objects (the package.json files are given): no process, so the unit tier runs it; the tools tier
// reads the SBOM of the real build (cli-sbom.tools.test.ts).

interface Metafile {
  readonly inputs: Record<string, unknown>;
}
interface Pkg {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
  readonly paths: string[];
}
interface Component {
  readonly type: string;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  readonly properties: { name: string; value: string }[];
}
interface Sbom {
  readonly bomFormat: string;
  readonly specVersion: string;
  readonly metadata: { component: { name: string; version: string; purl: string } };
  readonly components: Component[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sbom = require('../../scripts/cli-sbom.js') as {
  bundledPackages(metafiles: readonly Metafile[], readPackage: (folder: string) => unknown): Pkg[];
  cycloneDx(packages: readonly Pkg[], component: { name: string; version: string }, tools?: { name: string; version: string }[]): Sbom;
  purl(name: string, version: string): string;
  readCliSbom(text: string): { name: string; version: string; path: string }[];
};

/** package.json of each folder, as an install would have them: js-yaml twice, the nested copy older. */
const PACKAGES: Record<string, { name: string; version: string; license?: string }> = {
  'node_modules/@kubernetes/client-node': { name: '@kubernetes/client-node', version: '2.0.1', license: 'Apache-2.0' },
  'node_modules/@kubernetes/client-node/node_modules/js-yaml': { name: 'js-yaml', version: '5.5.0', license: 'MIT' },
  'node_modules/js-yaml': { name: 'js-yaml', version: '4.1.1', license: 'MIT' },
  'node_modules/undici': { name: 'undici', version: '8.13.1', license: 'MIT' },
  '../main/node_modules/undici': { name: 'undici', version: '8.13.1', license: 'MIT' },
  'node_modules/commander': { name: 'commander', version: '15.1.0' },
};
const read: string[] = [];
const readPackage = (folder: string) => {
  read.push(folder);
  const pkg = PACKAGES[folder];
  if (pkg === undefined) throw new Error(`no package.json in ${folder}`);
  return pkg;
};
// Three builds' metafiles (main.js, aws-sdk.js, kube-api.js), inputs as esbuild writes them: the project's own
// sources, files deep in a package (a package.json of its own under dist/ among them), a nested copy, a scoped name, a
// package reached through a linked node_modules, and one package in two builds.
const METAFILES: Metafile[] = [
  { inputs: { 'cli/main.ts': {}, 'node_modules/commander/lib/command.js': {}, 'node_modules/commander/index.js': {}, '<stdin>': {} } },
  {
    inputs: {
      'cli/shared/kube/kube-api.ts': {},
      'node_modules/@kubernetes/client-node/dist/index.js': {},
      'node_modules/@kubernetes/client-node/dist/gen/package.json': {},
      'node_modules/@kubernetes/client-node/node_modules/js-yaml/dist/js-yaml.mjs': {},
      'node_modules/undici/lib/dispatcher/client.js': {},
    },
  },
  { inputs: { 'node_modules/js-yaml/index.js': {}, 'node_modules/commander/index.js': {}, '../main/node_modules/undici/index.js': {} } },
];

describe('the bundled packages from the metafiles', () => {
  const packages = sbom.bundledPackages(METAFILES, readPackage);

  it("lists each package folder's name and version once, a nested copy of another version apart, the project's own sources not at all", () => {
    expect(packages.map((pkg) => [pkg.name, pkg.version, pkg.paths])).toEqual([
      ['@kubernetes/client-node', '2.0.1', ['node_modules/@kubernetes/client-node']],
      ['commander', '15.1.0', ['node_modules/commander']],
      ['js-yaml', '4.1.1', ['node_modules/js-yaml']],
      ['js-yaml', '5.5.0', ['node_modules/@kubernetes/client-node/node_modules/js-yaml']],
      // Through the link and directly: one folder in the lockfile's form, one component.
      ['undici', '8.13.1', ['node_modules/undici']],
    ]);
    // The package's own folder's package.json, never one deeper (dist/gen/package.json names no package).
    expect(read.filter((folder) => folder.includes('/dist'))).toEqual([]);
  });

  it('writes CycloneDX 1.5: the CLI as the component, each package a library with its purl, the scope percent-encoded', () => {
    const doc = sbom.cycloneDx(packages, { name: 'rancher-ha-aws', version: '0.9.0' }, [{ name: 'esbuild', version: '0.25.0' }]);
    expect(doc.bomFormat).toBe('CycloneDX');
    expect(doc.specVersion).toBe('1.5');
    expect(doc.metadata.component).toMatchObject({ name: 'rancher-ha-aws', version: '0.9.0', purl: 'pkg:npm/rancher-ha-aws@0.9.0' });
    expect(doc.components.map((c) => [c.type, c.purl])).toEqual([
      ['library', 'pkg:npm/%40kubernetes/client-node@2.0.1'],
      ['library', 'pkg:npm/commander@15.1.0'],
      ['library', 'pkg:npm/js-yaml@4.1.1'],
      ['library', 'pkg:npm/js-yaml@5.5.0'],
      ['library', 'pkg:npm/undici@8.13.1'],
    ]);
    // No time and no random serial: the same bundle, the same bytes.
    expect(JSON.stringify(doc)).toBe(
      JSON.stringify(sbom.cycloneDx(packages, { name: 'rancher-ha-aws', version: '0.9.0' }, [{ name: 'esbuild', version: '0.25.0' }])),
    );
    expect(JSON.stringify(doc)).not.toMatch(/timestamp|serialNumber/);
  });

  it('reads back as scripts/advisories.js checks it: each package with the folder it was bundled from', () => {
    const doc = JSON.stringify(sbom.cycloneDx(packages, { name: 'rancher-ha-aws', version: '0.9.0' }));
    expect(sbom.readCliSbom(doc)).toContainEqual({
      name: 'js-yaml',
      version: '5.5.0',
      path: 'node_modules/@kubernetes/client-node/node_modules/js-yaml',
    });
    expect(sbom.readCliSbom(doc)).toHaveLength(5);
    expect(() => sbom.readCliSbom('{"bomFormat":"SPDX"}')).toThrow('not a CycloneDX document with components');
  });
});
