import {
  RECORDED_SUMS,
  recordedRelease,
  releaseFileName,
  SUPPLIED_FILES,
  type Architecture,
  type Distribution,
  type RecordedFile,
} from '../../../lib/config/release-sums';
import { DEFAULT_VERSIONS, VERSION_FORMATS } from '../../../lib/config/versions';

const DISTRIBUTIONS: readonly Distribution[] = ['rke2', 'k3s'];
const SOURCE = /^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+ \S+@[0-9a-f]{40}$/;

function files(): [string, RecordedFile][] {
  return DISTRIBUTIONS.flatMap((d) =>
    Object.entries(RECORDED_SUMS[d]).flatMap(([version, release]) => [
      [`${d} ${version} installer`, release.installer] as [string, RecordedFile],
      ...Object.entries(release.artifacts).map(([arch, f]) => [`${d} ${version} ${arch}`, f!] as [string, RecordedFile]),
    ]),
  );
}

describe('recorded release sums', () => {
  // The supported versions are the pins: a pin bumped without its release's sums fails here.
  it.each(DISTRIBUTIONS)('the pinned %s release has a recorded sum for every architecture the servers run', (d) => {
    const release = recordedRelease(d, DEFAULT_VERSIONS[d]);
    expect(release).toBeDefined();
    expect(release?.artifacts.amd64?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the pinned RKE2 release also has its installer recorded', () => {
    expect(recordedRelease('rke2', DEFAULT_VERSIONS.rke2)?.installer?.file).toBe('install.sh');
  });

  it('a version without an entry has no sums (what a bumped pin would find)', () => {
    expect(recordedRelease('rke2', 'v1.35.8+rke2r1')).toBeUndefined();
    expect(recordedRelease('k3s', 'v1.35.8+k3s1')).toBeUndefined();
    // Not read from the object's prototype.
    expect(recordedRelease('rke2', 'constructor')).toBeUndefined();
  });

  it('every recorded file is named as the servers download it, a name versions.releaseSums takes for its distribution', () => {
    for (const d of DISTRIBUTIONS)
      for (const release of Object.values(RECORDED_SUMS[d]))
        for (const [arch, f] of Object.entries(release.artifacts)) {
          expect(f!.file).toBe(releaseFileName(d, arch as Architecture));
          expect(SUPPLIED_FILES[d]).toContain(f!.file);
        }
  });

  it('every entry names a release version of its distribution', () => {
    for (const d of DISTRIBUTIONS) for (const version of Object.keys(RECORDED_SUMS[d])) expect(version).toMatch(VERSION_FORMATS[d]);
  });

  it.each(files())('%s: a lower-case SHA-256 with at least one cited source (repository, path, commit)', (_name, f) => {
    expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(f.sources.length).toBeGreaterThan(0);
    for (const s of f.sources) expect(s).toMatch(SOURCE);
    // A source listed twice would count as two.
    expect(new Set(f.sources).size).toBe(f.sources.length);
  });

  it('every installer is fetched from an address that names a commit, not a moving name such as get.rke2.io', () => {
    for (const d of DISTRIBUTIONS)
      for (const release of Object.values(RECORDED_SUMS[d]))
        expect(release.installer.url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/[\w-]+\/\w+\/[0-9a-f]{40}\/install\.sh$/);
  });

  it('no two files share a sum (a sum pasted into the wrong row; one installer may serve several releases)', () => {
    const sums = [...new Map(files().map(([, f]) => [f, f.sha256])).values()];
    expect(new Set(sums).size).toBe(sums.length);
  });
});
