import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runBounded } from './subprocess';

const ROOT = join(__dirname, '..', '..');

/**
 * The Node.js releases of the lines package.json's `engines` names: the newest of each line on the npm registry when
 * they were pinned (26.12.1 on 2026-11-26, the active LTS line since 2026-10-28). The README names the same.
 * The suite runs on one of them, the line `.nvmrc` pins (`bash .ci/run` and scripts/test.js install and use it): the
 * newest line every part of the product runs on, cdktf-cli 0.21 included (docs/toolchain.md, "Node.js"). The app, the
 * operations CLI and the library's consumer are also run on each of the others (OTHER_LINES).
 */
export const NODE_VERSIONS = { '20': '20.20.2', '22': '22.23.3', '24': '24.21.0', '26': '26.12.1' } as const;
export type NodeLine = keyof typeof NODE_VERSIONS;

/** The lines other than the one running the tests, each compared with it. */
export const OTHER_LINES = (Object.keys(NODE_VERSIONS) as NodeLine[]).filter((line) => line !== process.versions.node.split('.')[0]);

/** Where the binaries are kept between runs, beside the other build caches (npm's own cache keeps the tarballs). */
const CACHE = join(ROOT, 'node_modules', '.cache', 'node-versions');

/**
 * The `node` binary of that line, installed from the npm registry on first use: the registry's
 * `node-<platform>-<arch>` packages are the official binaries (the `node` package's install script only picks the
 * one for the machine), so this is an ordinary npm install, from npm's cache when it holds the tarball. Installed
 * into a folder of its own and renamed into place, so two test processes installing at once cannot leave half of
 * one (the second rename finds the first's folder and its own is dropped).
 */
export function nodeBinary(line: NodeLine): string {
  const version = NODE_VERSIONS[line];
  const target = join(CACHE, version);
  const binary = join(target, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE, { recursive: true });
  const scratch = mkdtempSync(join(CACHE, `.install-${version}-`));
  // mkdtemp's 700 would keep a test's run as another user (nobody, hostile-settings.tools) from the binary.
  chmodSync(scratch, 0o755);
  try {
    const npm = runBounded(
      'npm',
      [
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--prefix',
        scratch,
        `node-${process.platform}-${process.arch}@${version}`,
      ],
      { cwd: scratch },
    );
    if (npm.status !== 0)
      throw new Error(`npm could not install Node ${version} (node-${process.platform}-${process.arch}):\n${npm.stdout}${npm.stderr}`);
    try {
      renameSync(scratch, target);
    } catch (error) {
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return binary;
}
