import {
  missingReleaseSums,
  RECORDED_SUMS,
  recordedRelease,
  releaseArchitecture,
  releaseFileName,
  SUPPLIED_FILES,
  suppliedSumProblems,
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

describe('which release file a setting means, and whether it has a sum', () => {
  it('an arm64 server architecture means the arm64 release; x86_64 or no setting means amd64', () => {
    expect(releaseArchitecture('arm64')).toBe('arm64');
    expect(releaseArchitecture('x86_64')).toBe('amd64');
    expect(releaseArchitecture(undefined)).toBe('amd64');
  });

  it('the release files are named as upstream names them: k3s for amd64, k3s-arm64 for arm64, one tarball per architecture for RKE2', () => {
    expect(releaseFileName('k3s', 'amd64')).toBe('k3s');
    expect(releaseFileName('k3s', 'arm64')).toBe('k3s-arm64');
    expect(releaseFileName('rke2', 'arm64')).toBe('rke2.linux-arm64.tar.gz');
  });

  it('a version whose release file has no sum, recorded or supplied, is refused with a message naming the file; a recorded or supplied one passes', () => {
    expect(missingReleaseSums('k3s', 'v1.36.3+k3s1', 'arm64')).toBeUndefined();
    expect(missingReleaseSums('k3s', 'v1.35.7+k3s1', 'arm64')).toContain('v1.35.7+k3s1 has no SHA-256 of k3s-arm64 for arm64 servers');
    expect(missingReleaseSums('k3s', 'v1.35.8+k3s1', 'amd64')).toContain('no SHA-256 of k3s');
    expect(missingReleaseSums('k3s', 'v1.35.8+k3s1', 'amd64', { 'v1.35.8+k3s1': { k3s: 'a'.repeat(64) } })).toBeUndefined();
  });

  it("the K3s default's arm64 binary has no recorded sum: its refusal names the patch of the line whose sums are recorded, and a supplied sum", () => {
    expect(missingReleaseSums('k3s', 'v1.36.5+k3s1', 'amd64')).toBeUndefined();
    const refusal = missingReleaseSums('k3s', 'v1.36.5+k3s1', 'arm64')!;
    expect(refusal).toContain('this project records it for v1.36.3+k3s1');
    expect(refusal).toContain('versions.releaseSums: { "v1.36.5+k3s1": { "k3s-arm64": <sha256> } }');
  });
});

describe('suppliedSumProblems', () => {
  const k3s = recordedRelease('k3s', 'v1.36.3+k3s1')!.artifacts;

  it('a supplied sum that agrees with the recorded one, for either architecture, is no problem', () => {
    expect(suppliedSumProblems({ 'v1.36.3+k3s1': { k3s: k3s.amd64!.sha256, 'k3s-arm64': k3s.arm64!.sha256 } })).toEqual([]);
  });

  it('a supplied sum that contradicts the recorded one is refused at its path, for the architecture its file names', () => {
    const problems = suppliedSumProblems({ 'v1.36.3+k3s1': { 'k3s-arm64': k3s.amd64!.sha256, k3s: k3s.arm64!.sha256 } });
    expect(problems.map((p) => p.path)).toEqual([
      ['v1.36.3+k3s1', 'k3s-arm64'],
      ['v1.36.3+k3s1', 'k3s'],
    ]);
    expect(problems[0].message).toContain(`(${k3s.arm64!.sha256},`);
    expect(problems[1].message).toContain(`(${k3s.amd64!.sha256},`);
  });

  it('a key that is no release version, and a file the servers do not install, are refused', () => {
    expect(suppliedSumProblems({ '1.35': {}, 'v1.36.3+k3s1': { 'install.sh': 'a'.repeat(64) } })).toEqual([
      expect.objectContaining({ path: ['1.35'], value: '1.35' }),
      expect.objectContaining({ path: ['v1.36.3+k3s1', 'install.sh'], value: 'install.sh' }),
    ]);
  });
});
