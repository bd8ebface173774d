// The software bill of materials of the operations CLI's bundle (dist/cli): every third-party package esbuild put into
// main.js, aws-sdk.js and kube-api.js, with its version, as CycloneDX 1.5 JSON (sbom.cdx.json beside the bundle), the
// form scanners read (osv-scanner --sbom, grype sbom:, trivy sbom). The packages are devDependencies of the library
// (bundled, they are no install of its users'), so neither a consumer's `npm audit` nor the lockfile's runtime closure
// sees them: this file is what names them (docs/security.md, "Dependency advisories"; scripts/advisories.js
// checks it; scripts/release.js puts it beside the release's sums).
//
// The packages come from esbuild's metafile: each input under node_modules belongs to the package whose folder follows
// the last `node_modules/` of its path (`node_modules/@scope/name` or `node_modules/name`), and that folder's
// package.json gives its name and version. A copy nested under another package is a folder of its own, so two versions
// of one package are two components. The file has no timestamp and no random serial number: the same bundle gives
// the same bytes (a release's dry run and the release write the same sums).
'use strict';

const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const SBOM_FILE = 'sbom.cdx.json';

/**
 * The package folder of a metafile input, from its last `node_modules/` on (`node_modules/a/node_modules/@s/b`), or
 * undefined for the project's own sources. Paths are as esbuild writes them, relative to its working directory; a
 * node_modules reached through a link (a worktree sharing another's) gives `../other/node_modules/...`, and the
 * folder is named from its first `node_modules/` so it reads as the lockfile's path.
 */
function packageFolder(input) {
  const path = input.split('\\').join('/');
  const first = path.indexOf('node_modules/');
  if (first < 0) return undefined;
  const match = /^((?:.*\/)?node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (match === null) return undefined;
  return { folder: match[1], lockPath: match[1].slice(first) };
}

/** The package URL (purl-spec, npm type) of a package: the scope's `@` percent-encoded, as the spec's examples write it. */
const purl = (name, version) => `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${encodeURIComponent(version)}`;

/**
 * The bundled packages of one or more esbuild metafiles: `{ name, version, paths }` sorted by name then version, one a
 * name and version, `paths` the lockfile-form folders it was bundled from. `readPackage(folder)` gives a folder's
 * package.json (parsed); by default it is read from `root`.
 */
function bundledPackages(metafiles, readPackage = (folder) => JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8'))) {
  const folders = new Map();
  for (const metafile of metafiles)
    for (const input of Object.keys(metafile.inputs)) {
      const found = packageFolder(input);
      if (found !== undefined) folders.set(found.folder, found.lockPath);
    }
  const byId = new Map();
  for (const [folder, lockPath] of folders) {
    const pkg = readPackage(folder);
    if (typeof pkg.name !== 'string' || typeof pkg.version !== 'string') throw new Error(`${folder}/package.json names no name and version`);
    const id = `${pkg.name}@${pkg.version}`;
    const entry = byId.get(id) ?? {
      name: pkg.name,
      version: pkg.version,
      license: typeof pkg.license === 'string' ? pkg.license : undefined,
      paths: [],
    };
    if (!entry.paths.includes(lockPath)) entry.paths.push(lockPath);
    byId.set(id, entry);
  }
  return [...byId.values()]
    .map((entry) => ({ ...entry, paths: entry.paths.sort() }))
    .sort((a, b) => (a.name === b.name ? (a.version < b.version ? -1 : 1) : a.name < b.name ? -1 : 1));
}

/** The CycloneDX 1.5 document of `packages` (bundledPackages) as bundled into `component` ({ name, version }). */
function cycloneDx(packages, component, tools = []) {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: {
      tools: { components: tools.map((tool) => ({ type: 'application', ...tool })) },
      component: {
        type: 'application',
        'bom-ref': purl(component.name, component.version),
        name: component.name,
        version: component.version,
        purl: purl(component.name, component.version),
      },
    },
    components: packages.map((pkg) => ({
      type: 'library',
      'bom-ref': purl(pkg.name, pkg.version),
      name: pkg.name,
      version: pkg.version,
      purl: purl(pkg.name, pkg.version),
      ...(pkg.license === undefined ? {} : { licenses: [{ expression: pkg.license }] }),
      properties: pkg.paths.map((path) => ({ name: 'rancher-ha-aws:bundled-from', value: path })),
    })),
    dependencies: [{ ref: purl(component.name, component.version), dependsOn: packages.map((pkg) => purl(pkg.name, pkg.version)) }],
  };
}

/** Writes `out`/sbom.cdx.json for the CLI bundle built with `metafiles`; returns its path and the packages. */
function writeCliSbom(out, metafiles, root = ROOT) {
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const packages = bundledPackages(metafiles, (folder) => JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')));
  const esbuild = JSON.parse(readFileSync(require.resolve('esbuild/package.json', { paths: [root] }), 'utf8'));
  const file = join(out, SBOM_FILE);
  writeFileSync(file, `${JSON.stringify(cycloneDx(packages, own, [{ name: 'esbuild', version: esbuild.version }]), null, 1)}\n`);
  return { file, packages };
}

/**
 * The bundled packages an SBOM of writeCliSbom's names, as scripts/advisories.js checks them: `{ name, version, path }`,
 * one for each folder it was bundled from.
 */
function readCliSbom(text) {
  const sbom = JSON.parse(text);
  if (sbom.bomFormat !== 'CycloneDX' || !Array.isArray(sbom.components)) throw new Error('not a CycloneDX document with components');
  return sbom.components.flatMap((component) => {
    const paths = (component.properties ?? []).filter((p) => p.name === 'rancher-ha-aws:bundled-from').map((p) => p.value);
    return (paths.length > 0 ? paths : [`(bundled) ${component.name}`]).map((path) => ({ name: component.name, version: component.version, path }));
  });
}

module.exports = { SBOM_FILE, bundledPackages, cycloneDx, packageFolder, purl, readCliSbom, writeCliSbom };
