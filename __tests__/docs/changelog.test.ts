import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Issue 65: CHANGELOG.md per release, each with an "Upgrading" part naming what a user of the release before must do
// (the breaking changes); the first release has none to upgrade from.
const changelog = readFileSync(join(__dirname, '..', '..', 'CHANGELOG.md'), 'utf8');
/** The release sections, newest first: `## Unreleased` or `## x.y.z (date)`, and their text. */
const releases = [...changelog.matchAll(/^## (Unreleased|\d+\.\d+\.\d+)\b.*$([\s\S]*?)(?=^## |(?![\s\S]))/gm)].map((m) => ({
  version: m[1],
  text: m[2],
}));

const PACKAGE_VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

describe('CHANGELOG.md', () => {
  // What `npm pack` (rancher-ha-aws-<version>.tgz) and the synth say is the version a reader looks for here. Right
  // after a release the part is empty and has no number yet (scripts/release.js).
  it("heads the part not released yet with package.json's version, newer than the last release, while it holds entries", () => {
    const heading = /^## Unreleased.*$/m.exec(changelog)?.[0];
    const entries = /^### /m.test(releases[0]!.text);
    expect(releases[0]!.version).toBe('Unreleased');
    expect(heading).toBe(entries ? `## Unreleased (${PACKAGE_VERSION})` : '## Unreleased');
    if (entries) expect(releases[1]!.version).not.toBe(PACKAGE_VERSION);
  });

  it('has the releases in order, newest first', () => {
    expect(releases.length).toBeGreaterThan(3);
    const numbered = releases.filter((r) => r.version !== 'Unreleased').map((r) => r.version.split('.').map(Number));
    const sorted = [...numbered].sort((a, b) => b[0] - a[0] || b[1] - a[1] || b[2] - a[2]);
    expect(numbered).toEqual(sorted);
  });

  it.each(releases.slice(0, -1).map((r, i) => [r.version, releases[i + 1].version, r.text] as const))(
    '%s has an "Upgrading from %s" part before its other parts',
    (_version, previous, text) => {
      const parts = [...text.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
      expect(parts[0]).toBe(`Upgrading from ${previous}`);
    },
  );
});
