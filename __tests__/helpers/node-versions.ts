/**
 * The Node.js releases of the lines package.json's `engines` names: the newest of each line on the npm registry when
 * they were pinned (26.12.1 on 2026-11-26, the active LTS line since 2026-10-28). The README names the same.
 * The suite runs on one of them, the release `.nvmrc` pins (`bash .ci/run` installs it and runs everything on it;
 * scripts/test.js runs jest on it): the lowest line `engines` names, where every part of the product runs, CDK Terrain's CLI
 * included (docs/toolchain.md, "Node.js"). The app, the operations CLI and the library's consumer are also run on each of the
 * others (OTHER_LINES).
 */
export const NODE_VERSIONS = { '22': '22.23.3', '24': '24.21.0', '26': '26.12.1' } as const;
export type NodeLine = keyof typeof NODE_VERSIONS;

/** The lines other than the one running the tests, each compared with it. */
export const OTHER_LINES = (Object.keys(NODE_VERSIONS) as NodeLine[]).filter((line) => line !== process.versions.node.split('.')[0]);

// scripts/node-binaries.js (plain CommonJS): where a binary lives and how it is installed, for .ci/run and test.js too.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script of this repository, without types
const { installNode, suiteVersion } = require('../../scripts/node-binaries.js') as {
  installNode(version: string): string;
  suiteVersion(): string;
};

/** The release the suite runs on (`.nvmrc`, read by scripts/node-binaries.js). */
export const SUITE_VERSION = suiteVersion();

/** The `node` binary of that line, installed from the npm registry on first use (scripts/node-binaries.js). */
export function nodeBinary(line: NodeLine): string {
  return installNode(NODE_VERSIONS[line]);
}
