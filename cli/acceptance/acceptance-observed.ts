import { recordedRelease, releaseFileName, type Architecture } from '../../lib/config/release-sums';
import type { ModuleState } from '../shared/terraform';

/** A server or host image the deployment's lookup found (a `data.aws_ami` in the state after the apply). */
export interface SeenImage {
  readonly address: string;
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly architecture: string;
}

/** A release file the servers checked before installing it: the sum they were given, and where this project read it. */
export interface SeenSum {
  readonly distribution: 'rke2' | 'k3s';
  readonly version: string;
  readonly file: string;
  /** Undefined: the project records none, so the servers checked the one the settings supplied (`versions.releaseSums`). */
  readonly sha256?: string;
  readonly sources: readonly string[];
}

/** What an acceptance run saw of the facts docs/settings.md marks unconfirmed: the images found and the sums checked. */
export interface SeenArtifacts {
  readonly images: SeenImage[];
  readonly sums: SeenSum[];
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * The images and release sums of a deployment, from its state after the apply: each `aws_ami` data source the plan
 * resolved (id, name, owner, architecture), and, for each distribution version the module installs, the release file
 * of those images' architectures with the sum the servers checked it against. The servers refuse a file whose sum
 * differs and never start, so an apply that reached Rancher confirms each sum listed on a real download.
 */
export function seenArtifacts(state: ModuleState, versions: Readonly<Partial<Record<'rke2' | 'k3s', string>>>): SeenArtifacts {
  const images = state.resources
    .filter((r) => r.mode === 'data' && r.type === 'aws_ami')
    .map((r) => ({
      address: r.address,
      id: text(r.attributes.id) || text(r.attributes.image_id),
      name: text(r.attributes.name),
      owner: text(r.attributes.owner_id),
      architecture: text(r.attributes.architecture),
    }));
  const architectures = [...new Set(images.map((i) => (i.architecture === 'arm64' ? 'arm64' : 'amd64') as Architecture))];
  const sums: SeenSum[] = [];
  for (const distribution of ['rke2', 'k3s'] as const) {
    const version = versions[distribution];
    if (version === undefined) continue;
    for (const architecture of architectures) {
      const recorded = recordedRelease(distribution, version)?.artifacts[architecture];
      sums.push({
        distribution,
        version,
        file: recorded?.file ?? releaseFileName(distribution, architecture),
        ...(recorded ? { sha256: recorded.sha256 } : {}),
        sources: recorded?.sources ?? [],
      });
    }
  }
  return { images, sums };
}

/** The evidence lines of what was seen, one per image and per sum. */
export function describeSeen(seen: SeenArtifacts): string[] {
  return [
    ...seen.images.map((i) => `image ${i.name || '(no name)'} (${i.id}, owner ${i.owner || '?'}, ${i.architecture || '?'}) from ${i.address}`),
    ...seen.sums.map((s) =>
      s.sha256 === undefined
        ? `${s.file} of ${s.version}: checked against the sum the settings supplied (versions.releaseSums), none recorded by this project`
        : `${s.file} of ${s.version}: checked against sha256 ${s.sha256}, recorded from ${s.sources.length} source${s.sources.length === 1 ? '' : 's'} (${s.sources.join('; ')})`,
    ),
  ];
}
