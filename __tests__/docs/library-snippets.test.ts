import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, TerraformStack } from 'cdktf';
import { resources, synthStack } from '../helpers/synth';

// docs/library.md's deployment snippets, as written: each TypeScript block that builds a deployment on `this` is the
// body of a stack's constructor (its imports above it), transpiled by the suite's own transform
// (scripts/jest-transform.js, esbuild, as every test file is), its `rancher-ha-aws` imports read from lib/ as the
// package's `exports` map them, and synthesized. A prop renamed, an import that names nothing, a provider the
// construct needs and the snippet leaves out: the synth fails here, before a reader copies it.

const ROOT = join(__dirname, '..', '..');
const PAGE = readFileSync(join(ROOT, 'docs', 'library.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, { types?: string }> };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS transform of this repository, without types
const transform = require('../../scripts/jest-transform.js') as { process(source: string, path: string): { code: string } };

/** Each ```ts block of the page that builds a deployment on `this`, keyed by the construct it builds. */
const snippets = [...PAGE.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
  .map((m) => m[1]!)
  .filter((block) => /^import /m.test(block) && /new RancherOn\w+\(this,/.test(block))
  .map((block) => ({ construct: /new (RancherOn\w+)\(this,/.exec(block)![1]!, block }));

/** The lib/ source an import of the package names: `rancher-ha-aws/common` is lib/common/index.ts, as `exports` maps it. */
function packageSource(specifier: string): string {
  const subpath = specifier === PACKAGE.name ? '.' : `./${specifier.slice(PACKAGE.name.length + 1)}`;
  const types = PACKAGE.exports[subpath]?.types;
  if (!types) throw new Error(`docs/library.md imports ${specifier}, which package.json exports does not map`);
  return join(ROOT, types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts'));
}

/** The snippet as a stack class: its imports, then its other lines as the constructor's body. */
function stackClass(block: string): new (scope: App, id: string) => TerraformStack {
  const lines = block.split('\n');
  const imports = lines.filter((line) => line.startsWith('import '));
  const body = lines.filter((line) => !line.startsWith('import '));
  const source = [
    ...imports,
    "import { TerraformStack as SnippetStack } from 'cdktf';",
    'export class Snippet extends SnippetStack {',
    '  constructor(scope: any, id: string) {',
    '    super(scope, id);',
    ...body,
    '  }',
    '}',
  ].join('\n');
  const { code } = transform.process(source, join(ROOT, 'docs', 'library.md.ts'));
  const module = { exports: {} as { Snippet: new (scope: App, id: string) => TerraformStack } };
  const load = (specifier: string) =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the snippet's imports, resolved as it runs
    require(specifier === PACKAGE.name || specifier.startsWith(`${PACKAGE.name}/`) ? packageSource(specifier) : specifier);
  new Function('require', 'module', 'exports', code)(load, module, module.exports);
  return module.exports.Snippet;
}

describe('docs/library.md', () => {
  it('holds a snippet for RancherOnRke and one for RancherOnExistingCluster (the scan finds them)', () => {
    expect(snippets.map((s) => s.construct).sort()).toEqual(['RancherOnExistingCluster', 'RancherOnRke']);
  });

  it('RancherOnExistingCluster as written: installs cert-manager and Rancher through the helm and kubernetes providers the snippet configures', () => {
    const { block } = snippets.find((s) => s.construct === 'RancherOnExistingCluster')!;
    const Snippet = stackClass(block);
    const { json } = synthStack((app) => new Snippet(app, 'platform'));
    const releases = Object.keys(resources(json, 'helm_release'));
    expect(releases).toContainEqual(expect.stringMatching(/^rancher_release_/));
    expect(releases).toContainEqual(expect.stringMatching(/^rancher_cert-manager_/));
    expect(json.provider!.kubernetes).toEqual([expect.objectContaining({ config_path: '~/.kube/config', config_context: 'platform' })]);
    expect(json.provider!.helm).toEqual([expect.objectContaining({ kubernetes: expect.objectContaining({ config_context: 'platform' }) })]);
    expect(json.output).toHaveProperty('rancher_url');
  });

  it('RancherOnRke as written: the servers, Rancher and the outputs the operations commands read', () => {
    const { block } = snippets.find((s) => s.construct === 'RancherOnRke')!;
    const Snippet = stackClass(block);
    const { json } = synthStack((app) => new Snippet(app, 'platform'));
    expect(Object.keys(resources(json, 'aws_instance'))).toHaveLength(3);
    expect(Object.keys(resources(json, 'helm_release'))).toContainEqual(expect.stringMatching(/^rancher_release_/));
    expect(Object.keys(json.output ?? {})).toEqual(expect.arrayContaining(['rancher_url', 'kubeconfig', 'servers_pending_replacement']));
  });
});
