/**
 * SHA-256 sums of the release files the servers would install, recorded per
 * distribution, version and architecture (issue 37, item 1).
 *
 * These machines cannot download GitHub release assets, so no sum here was
 * computed from the asset itself: each was read in public repositories that
 * pin the same file, and each cites where (repository, path, commit). A sum is
 * recorded only when found; none is derived or guessed. The installer scripts'
 * sums were computed here from the upstream repository at a fixed commit, or
 * read in upstream's own sum file at that commit (docs/design-notes.md,
 * "Release files and their recorded sums", lists every source and what was not
 * found; docs/development.md says how to record a release).
 *
 * The servers download each file from a fixed address, check it against the
 * sum here (carried in their user data) and install nothing that differs. The
 * settings refuse a version (or an architecture) without its sums
 * (missingReleaseSums), so every version the stacks accept is held to them,
 * unless the operator supplies the sums of a release not recorded here
 * (`versions.releaseSums`, which may not contradict this table).
 */

import { DEFAULT_VERSIONS, VERSION_FORMATS } from './versions';

export type Distribution = 'rke2' | 'k3s';
export type Architecture = 'amd64' | 'arm64';

/** The release architecture of a server architecture setting (`x86_64`, the default, or `arm64`). */
export function releaseArchitecture(architecture: string | undefined): Architecture {
  return architecture === 'arm64' ? 'arm64' : 'amd64';
}

export interface RecordedFile {
  /** The file's name in the release (GitHub's release downloads, or the repository at the tag for an installer). */
  readonly file: string;
  /** Lower-case hex. */
  readonly sha256: string;
  /** Size in bytes, where a source recorded it. */
  readonly bytes?: number;
  /** Where the sum was read: `owner/repository path@commit` (at least one, two where found). */
  readonly sources: readonly string[];
}

/** An installer script, at an address that names a commit (a moving name such as get.rke2.io could serve anything). */
export interface RecordedInstaller extends RecordedFile {
  readonly url: string;
}

export interface RecordedRelease {
  /** The upstream installer script the servers run, at a fixed commit. */
  readonly installer: RecordedInstaller;
  /** The release file that carries the distribution, per architecture (only those whose sum was found). */
  readonly artifacts: Readonly<Partial<Record<Architecture, RecordedFile>>>;
}

/**
 * K3s' install.sh at commit 2d0f82fa of k3s-io/k3s. No copy at a release tag was readable here (the repository is
 * over the fetch limit); at this commit both upstream's own `install.sh.sha256sum` and a public module that pins the
 * script hold the same sum. The script takes the version from INSTALL_K3S_VERSION, so one commit serves every release;
 * the servers run it with INSTALL_K3S_SKIP_DOWNLOAD=binary on the binary they checked.
 */
const K3S_INSTALLER: RecordedInstaller = {
  file: 'install.sh',
  url: 'https://raw.githubusercontent.com/k3s-io/k3s/2d0f82fa2f933cd227fe38e1482558ce4769f464/install.sh',
  sha256: 'ed01f89fd977bf20ac1516bbebf8370bf3ddbaa55dac8aba610956a4c78cc00b',
  sources: [
    'k3s-io/k3s install.sh.sha256sum@2d0f82fa2f933cd227fe38e1482558ce4769f464',
    'KornaKube/terraform-hcloud-kube-hetzner scripts/install-verified-kubernetes.sh@93f53303ee6672ff1c8bf22b83d7c203f82f666c',
  ],
};

/**
 * RKE2's install.sh at a release's tag, by the tag's commit, with the sum and size computed here from the file at that
 * commit (`git show '<tag>:install.sh' | sha256sum`): the same bytes at v1.34.6+rke2r3 and v1.35.7+rke2r1; at
 * v1.36.3+rke2r1 it also reads /etc/os-release in setup_env, takes the RPM method on SLES 16 and RHEL 10, and restores
 * SELinux contexts after a tarball install when rke2-selinux is there.
 */
const RKE2_INSTALLER_AT = (
  commit: string,
  installer: { readonly sha256: string; readonly bytes: number },
  sources: readonly string[],
): RecordedInstaller => ({
  file: 'install.sh',
  url: `https://raw.githubusercontent.com/rancher/rke2/${commit}/install.sh`,
  sha256: installer.sha256,
  bytes: installer.bytes,
  sources: [`rancher/rke2 install.sh@${commit}`, ...sources],
});

/** The installer of v1.34.6+rke2r3 and v1.35.7+rke2r1. */
const RKE2_INSTALLER_135 = { sha256: '2d24db2184dd6b1a5e281fa45cc9a8234c889394721746f89b5fe953fdaaf40a', bytes: 25288 } as const;
/** The installer of v1.36.3+rke2r1 (the same sum is pinned by a public Flatcar lab's Butane config of that release). */
const RKE2_INSTALLER_136 = { sha256: '42983c86d1da64a92061d83afb57630cedd69241989f1b0673f3db6c3d92ee6b', bytes: 26731 } as const;

/** KornaKube's reviewed per-version manifest of release sums (`rke2_release_sha256_manifest`, `k3s_release_sha256_manifest`). */
const KORNAKUBE = 'KornaKube/terraform-hcloud-kube-hetzner locals.tf@93f53303ee6672ff1c8bf22b83d7c203f82f666c';

export const RECORDED_SUMS: Readonly<Record<Distribution, Readonly<Record<string, RecordedRelease>>>> = {
  rke2: {
    // The default (DEFAULT_VERSIONS). The amd64 tarball's sum is also pinned, beside the installer's above, by a public
    // Flatcar lab's Butane config (verification hashes of v1.36.3+rke2r1's files), a repository the index does not name.
    'v1.36.3+rke2r1': {
      // Computed from the file itself: the tag v1.36.3+rke2r1 is commit c4f306e6.
      installer: RKE2_INSTALLER_AT('c4f306e6c5fa18dfb447bf6b8a0423f2da68c939', RKE2_INSTALLER_136, []),
      artifacts: {
        amd64: { file: 'rke2.linux-amd64.tar.gz', sha256: '5bbc6315131af7f435385d0ed63f14788ef2a858ac482f8b9146cf3a1a1582d3', sources: [KORNAKUBE] },
        // One source only (the same reviewed manifest); a wrong sum fails closed: the boot stops.
        arm64: { file: 'rke2.linux-arm64.tar.gz', sha256: 'af50c3352ccb4d86c1fda24424707f9d4078b2a296245d832143ae283cd5fdbd', sources: [KORNAKUBE] },
      },
    },
    // The previous default (PREVIOUS_DEFAULT_VERSIONS): deployments made with 0.4 run it, and upgrade from it.
    'v1.35.7+rke2r1': {
      // Computed from the file itself: the tag v1.35.7+rke2r1 is commit 382a8b31.
      installer: RKE2_INSTALLER_AT('382a8b31a8fd78e376ab6f02c4bb0ec5592aada2', RKE2_INSTALLER_135, [
        'vivym/vela deploy/lab/rke2-airgap/release.env@85799d9fc164e5b4abc08282272ca3338882244a',
        'kaycee1771/verda-platform-takehome versions.lock.yaml@ac58095f8feab8c3febdb091080acaefb9d0e82a',
      ]),
      artifacts: {
        amd64: {
          file: 'rke2.linux-amd64.tar.gz',
          sha256: '7a29a6fbf512903a6a4611a289bcb3bdf01ddeea9df1a09b1bd1f210f3d6948a',
          bytes: 40598468,
          sources: [
            'vivym/vela deploy/lab/rke2-airgap/release.env@85799d9fc164e5b4abc08282272ca3338882244a',
            'kaycee1771/verda-platform-takehome versions.lock.yaml@ac58095f8feab8c3febdb091080acaefb9d0e82a',
            KORNAKUBE,
          ],
        },
        // One source only (a reviewed per-version manifest); a wrong sum fails closed: the boot stops.
        arm64: {
          file: 'rke2.linux-arm64.tar.gz',
          sha256: '0887d7b1e08dc7eb5ec57ad1db2d38149d879d224ddaf6f808e31dfa36ba1c9f',
          sources: [KORNAKUBE],
        },
      },
    },
  },
  k3s: {
    // The default. The amd64 binary's sum is pinned, beside the installer's at its tag, by three repositories of one
    // publisher (this one cited; also CyberCTF/unguard and CyberCTF/kubernetes-goat provision/k3s.sh) and by several
    // public build scripts the index does not name: one record. No public record of k3s-arm64's sum at this release was
    // found, so arm64 K3s servers on it need a supplied one (the settings' refusal names v1.36.3+k3s1 as the way out).
    'v1.36.5+k3s1': {
      installer: K3S_INSTALLER,
      artifacts: {
        amd64: {
          file: 'k3s',
          sha256: 'd73847bcd3c5fccef0115b372e2f9a91f3032dc84bbf71518a4617565294d313',
          sources: ['CyberCTF/bad-pods provision/k3s.sh@dcb3a486fc9457fbc269c3c9186a00579aea5586'],
        },
      },
    },
    // The default before v1.36.5 (in no release): both binaries' sums from KornaKube's manifest; the amd64 one is also
    // pinned in several public repositories the index does not name (build files and upgrade scripts of v1.36.3+k3s1).
    'v1.36.3+k3s1': {
      installer: K3S_INSTALLER,
      artifacts: {
        amd64: { file: 'k3s', sha256: '2f98a9f8fe5782479ee2d54e70a1b10a7f6fd4cae8d38ed3098452dc6eed76b5', sources: [KORNAKUBE] },
        arm64: { file: 'k3s-arm64', sha256: 'c9a209103f480f163b7c6a56f00862b4481927b284dc29a3716bb70d886691a8', sources: [KORNAKUBE] },
      },
    },
    // The previous default.
    'v1.35.7+k3s1': {
      installer: K3S_INSTALLER,
      // No sum of k3s-arm64 at this release was found: arm64 K3s servers are refused until one is recorded.
      artifacts: {
        amd64: {
          file: 'k3s',
          sha256: '5fc25309c53031e0cf03f7ee85f6f60969381ff3649039ffda19e30f5c26947a',
          sources: ['BIRAJ49/OpsForge infra/terraform/variables.tf@b1b55332f9c14862176cb04e8fd9be1917a36eae'],
        },
      },
    },
  },
};

/** The recorded sums of a release, or undefined when this project records none for it. */
export function recordedRelease(distribution: Distribution, version: string): RecordedRelease | undefined {
  return Object.prototype.hasOwnProperty.call(RECORDED_SUMS[distribution], version) ? RECORDED_SUMS[distribution][version] : undefined;
}

/**
 * The installer the servers run for a version: its release's, or (a release without an entry of its own) the pinned
 * version's, since the installer takes the version from its environment.
 */
export function releaseInstaller(distribution: Distribution, version: string): RecordedInstaller {
  return (recordedRelease(distribution, version) ?? recordedRelease(distribution, DEFAULT_VERSIONS[distribution])!).installer;
}

/** The address of a release file: GitHub's release downloads, or a mirror with the same layout (`<prefix>/<version>/<file>`). */
export function releaseFileUrl(distribution: Distribution, version: string, file: string, prefix?: string): string {
  const base = prefix ?? `https://github.com/${distribution === 'rke2' ? 'rancher/rke2' : 'k3s-io/k3s'}/releases/download`;
  // As the installers spell it: `+` would read as a space in some servers' paths.
  return `${base}/${version.replace(/\+/g, '%2B')}/${file}`;
}

/**
 * The release's own list of its files' SHA-256 sums (`<sum>  <file>` lines), published with every RKE2 and K3s release
 * beside the files it lists: RKE2's install.sh reads it (`verify_tarball`), K3s' (`download_hash`).
 */
export function releaseSumsFileName(architecture: Architecture): string {
  return `sha256sum-${architecture}.txt`;
}

/** The release file that carries the distribution, as upstream names it (the installers' own names for it). */
export function releaseFileName(distribution: Distribution, architecture: Architecture): string {
  if (distribution === 'rke2') return `rke2.linux-${architecture}.tar.gz`;
  return architecture === 'amd64' ? 'k3s' : `k3s-${architecture}`;
}

/**
 * SHA-256 sums an operator supplies for releases this project records none for (`versions.releaseSums`): per version,
 * the release file's name and its sum, read from the release's `sha256sum-<arch>.txt` and checked by the operator.
 */
export type SuppliedSums = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The file names `versions.releaseSums` takes under a version of this distribution. */
export const SUPPLIED_FILES: Readonly<Record<Distribution, readonly string[]>> = {
  rke2: [releaseFileName('rke2', 'amd64'), releaseFileName('rke2', 'arm64')],
  k3s: [releaseFileName('k3s', 'amd64'), releaseFileName('k3s', 'arm64')],
};

const own = <T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;

/**
 * The sum the servers check a release file against: the recorded one, else the one the operator supplied
 * (`versions.releaseSums`), else undefined (a supplied sum that contradicts a recorded one is refused by the settings).
 */
export function releaseFileSum(
  distribution: Distribution,
  version: string,
  architecture: Architecture,
  supplied?: SuppliedSums,
): { readonly file: string; readonly sha256: string } | undefined {
  const recorded = recordedRelease(distribution, version)?.artifacts[architecture];
  if (recorded !== undefined) return { file: recorded.file, sha256: recorded.sha256 };
  const file = releaseFileName(distribution, architecture);
  const sha256 = own(own(supplied, version), file);
  return sha256 === undefined ? undefined : { file, sha256 };
}

/**
 * Why a version cannot be installed on servers of this architecture, or undefined when its release file has a sum,
 * recorded or supplied (the installer always has one: a release without its own entry runs the pin's, which takes
 * the version from its environment). The message follows the name of the field the version came from; `arch` names
 * the architecture as its setting says it.
 */
export function missingReleaseSums(
  distribution: Distribution,
  version: string,
  architecture: Architecture,
  supplied?: SuppliedSums,
  arch = `${architecture} servers`,
): string | undefined {
  if (releaseFileSum(distribution, version, architecture, supplied) !== undefined) return undefined;
  const file = releaseFileName(distribution, architecture);
  const recorded = Object.entries(RECORDED_SUMS[distribution])
    .filter(([, release]) => release.artifacts[architecture] !== undefined)
    .map(([v]) => v);
  return (
    `${version} has no SHA-256 of ${file} for ${arch}, and the servers install nothing unverified ` +
    `(${recorded.length > 0 ? `this project records it for ${recorded.join(', ')}` : 'this project records it for no release'}); use a version that has it, ` +
    `or supply it from the release's sha256sum-${architecture}.txt after checking it (docs/day-2.md, "Sums of a new release"): ` +
    `versions.releaseSums: { "${version}": { "${file}": <sha256> } }`
  );
}

/** Which distribution a release version is of (undefined: neither's format). */
export function distributionOf(version: string): Distribution | undefined {
  return VERSION_FORMATS.rke2.test(version) ? 'rke2' : VERSION_FORMATS.k3s.test(version) ? 'k3s' : undefined;
}

/**
 * What is wrong with supplied sums, each with its path below `versions.releaseSums`: a key that is no release
 * version, a file the servers of that distribution do not install, a sum that contradicts the recorded one.
 * The sums' format (64 hex characters) is the schema's.
 */
export function suppliedSumProblems(supplied: SuppliedSums): { readonly path: string[]; readonly message: string; readonly value: unknown }[] {
  const problems: { path: string[]; message: string; value: unknown }[] = [];
  for (const [version, files] of Object.entries(supplied)) {
    const distribution = distributionOf(version);
    if (distribution === undefined) {
      problems.push({ path: [version], message: 'expected an RKE2 or K3s release version such as v1.35.7+rke2r1 or v1.35.7+k3s1', value: version });
      continue;
    }
    for (const [file, sha256] of Object.entries(files ?? {})) {
      if (!SUPPLIED_FILES[distribution].includes(file)) {
        problems.push({
          path: [version, file],
          message: `is not a release file the servers verify for ${distribution} ${version}; expected one of ${SUPPLIED_FILES[distribution].join(', ')} (the installer script is pinned by the project)`,
          value: file,
        });
        continue;
      }
      const architecture: Architecture = file === releaseFileName(distribution, 'arm64') ? 'arm64' : 'amd64';
      const recorded = recordedRelease(distribution, version)?.artifacts[architecture];
      if (recorded !== undefined && recorded.sha256 !== sha256) {
        problems.push({
          path: [version, file],
          message: `contradicts the sum this project records for ${file} of ${version} (${recorded.sha256}, from ${recorded.sources.join('; ')}); remove it, or check again where it was read`,
          value: sha256,
        });
      }
    }
  }
  return problems;
}
