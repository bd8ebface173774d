/**
 * The EC2 instance types the settings accept for Rancher's servers (rkeHa) and its Docker host (docker): the
 * current families a person would run them on, x86 (Intel, AMD) and Graviton (arm64), general purpose, compute
 * and memory optimized, and burstable, each with its vCPUs and memory. A type outside this table is refused as
 * unknown (a typo such as m6i.xlarg is caught at synth instead of by EC2 at apply, after the network and the load
 * balancer exist); add a family here, from the same sources, to allow it.
 *
 * Sources, checked 2026-11-24: which sizes each family has, from the EC2 API's InstanceType enumeration as the AWS
 * SDKs generate it; vCPUs and memory from the Amazon EC2 Instance Types guide ("Specifications for Amazon EC2
 * general purpose / compute optimized / memory optimized instances"). Within each of these families every size
 * has the family's memory per vCPU (4 GiB for m, 2 for c, 8 for r); medium is 1 vCPU, large 2, xlarge 4, Nxlarge
 * 4N, metal-Nxl 4N; a family's plain `metal` is given with it. The burstable families are listed size by size.
 */

import { nearestKey } from './nearest-key';
import { INSTANCE_TYPE_FORMAT } from './primitives';

/** A server's CPU architecture: `x86_64` (Intel, AMD) or `arm64` (AWS Graviton). */
export type Architecture = 'x86_64' | 'arm64';

export interface InstanceTypeSpec {
  readonly vcpus: number;
  readonly memoryGib: number;
  readonly architecture: Architecture;
}

interface Family {
  readonly architecture: Architecture;
  readonly gibPerVcpu: number;
  /** The sizes EC2 offers, space-separated. */
  readonly sizes: string;
  /** vCPUs of the plain `metal` size, where the family has one. */
  readonly metalVcpus?: number;
}

const X86 = 'x86_64';
const ARM = 'arm64';
const TO_24 = 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge';
const TO_32 = `${TO_24} 32xlarge`;
const GRAVITON = 'medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal';
const GRAVITON4 = `${GRAVITON.replace(' metal', '')} 24xlarge 48xlarge metal-24xl metal-48xl`;
const SAPPHIRE = `${TO_24} 48xlarge metal-24xl metal-48xl`;
const GENOA = `medium ${TO_32} 48xlarge metal-48xl`;

const FAMILIES: Readonly<Record<string, Family>> = {
  // General purpose: 4 GiB per vCPU.
  m5: { architecture: X86, gibPerVcpu: 4, sizes: `${TO_24} metal`, metalVcpus: 96 },
  m5a: { architecture: X86, gibPerVcpu: 4, sizes: TO_24 },
  m6i: { architecture: X86, gibPerVcpu: 4, sizes: `${TO_32} metal`, metalVcpus: 128 },
  m6a: { architecture: X86, gibPerVcpu: 4, sizes: `${TO_32} 48xlarge metal`, metalVcpus: 192 },
  m7i: { architecture: X86, gibPerVcpu: 4, sizes: SAPPHIRE },
  'm7i-flex': { architecture: X86, gibPerVcpu: 4, sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge' },
  m7a: { architecture: X86, gibPerVcpu: 4, sizes: GENOA },
  m8i: { architecture: X86, gibPerVcpu: 4, sizes: `${TO_32} 48xlarge 96xlarge metal-48xl metal-96xl` },
  m8a: { architecture: X86, gibPerVcpu: 4, sizes: `medium ${TO_24} 48xlarge metal-24xl metal-48xl` },
  m6g: { architecture: ARM, gibPerVcpu: 4, sizes: GRAVITON, metalVcpus: 64 },
  m7g: { architecture: ARM, gibPerVcpu: 4, sizes: GRAVITON, metalVcpus: 64 },
  m8g: { architecture: ARM, gibPerVcpu: 4, sizes: GRAVITON4 },
  // Compute optimized: 2 GiB per vCPU.
  c6i: { architecture: X86, gibPerVcpu: 2, sizes: `${TO_32} metal`, metalVcpus: 128 },
  c6a: { architecture: X86, gibPerVcpu: 2, sizes: `${TO_32} 48xlarge metal`, metalVcpus: 192 },
  c7i: { architecture: X86, gibPerVcpu: 2, sizes: SAPPHIRE },
  c7a: { architecture: X86, gibPerVcpu: 2, sizes: GENOA },
  c6g: { architecture: ARM, gibPerVcpu: 2, sizes: GRAVITON, metalVcpus: 64 },
  c7g: { architecture: ARM, gibPerVcpu: 2, sizes: GRAVITON, metalVcpus: 64 },
  c8g: { architecture: ARM, gibPerVcpu: 2, sizes: GRAVITON4 },
  // Memory optimized: 8 GiB per vCPU.
  r6i: { architecture: X86, gibPerVcpu: 8, sizes: `${TO_32} metal`, metalVcpus: 128 },
  r6a: { architecture: X86, gibPerVcpu: 8, sizes: `${TO_32} 48xlarge metal`, metalVcpus: 192 },
  r7i: { architecture: X86, gibPerVcpu: 8, sizes: SAPPHIRE },
  r7a: { architecture: X86, gibPerVcpu: 8, sizes: GENOA },
  r6g: { architecture: ARM, gibPerVcpu: 8, sizes: GRAVITON, metalVcpus: 64 },
  r7g: { architecture: ARM, gibPerVcpu: 8, sizes: GRAVITON, metalVcpus: 64 },
  r8g: { architecture: ARM, gibPerVcpu: 8, sizes: GRAVITON4 },
};

/** Burstable: vCPUs and GiB per size, the same in t3 (Intel), t3a (AMD) and t4g (Graviton). */
const BURSTABLE_SIZES: Readonly<Record<string, readonly [number, number]>> = {
  nano: [2, 0.5],
  micro: [2, 1],
  small: [2, 2],
  medium: [2, 4],
  large: [2, 8],
  xlarge: [4, 16],
  '2xlarge': [8, 32],
};
const BURSTABLE: Readonly<Record<string, Architecture>> = { t3: X86, t3a: X86, t4g: ARM };

function sizeVcpus(size: string, family: Family): number {
  if (size === 'medium') return 1;
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  if (size === 'metal') return family.metalVcpus as number;
  return 4 * Number(/^(?:metal-)?(\d+)x/.exec(size)?.[1]);
}

/** Every type of the table, by name. */
export const INSTANCE_TYPES: ReadonlyMap<string, InstanceTypeSpec> = new Map([
  ...Object.entries(FAMILIES).flatMap(([name, family]) =>
    family.sizes.split(' ').map((size): [string, InstanceTypeSpec] => {
      const vcpus = sizeVcpus(size, family);
      return [`${name}.${size}`, { vcpus, memoryGib: vcpus * family.gibPerVcpu, architecture: family.architecture }];
    }),
  ),
  ...Object.entries(BURSTABLE).flatMap(([name, architecture]) =>
    Object.entries(BURSTABLE_SIZES).map(([size, [vcpus, memoryGib]]): [string, InstanceTypeSpec] => [
      `${name}.${size}`,
      { vcpus, memoryGib, architecture },
    ]),
  ),
]);

/** The families of the table, for messages. */
export const INSTANCE_FAMILIES: readonly string[] = [...Object.keys(FAMILIES), ...Object.keys(BURSTABLE)];

/** The smallest server a mode's documented sizing names. */
export interface InstanceMinimum {
  readonly vcpus: number;
  readonly memoryGib: number;
  /** Where the minimum comes from, for messages. */
  readonly what: string;
}

/** Rancher's server sizing for RKE2 and K3s, its smallest tier (up to 150 clusters, 1,500 nodes). */
export const RANCHER_SERVER_MINIMUM: InstanceMinimum = {
  vcpus: 4,
  memoryGib: 16,
  what: "Rancher's smallest documented server size (4 vCPU, 16 GiB)",
};
/** Rancher's sizing for the Docker install, its smallest row (up to 5 clusters). */
export const DOCKER_HOST_MINIMUM: InstanceMinimum = { vcpus: 1, memoryGib: 4, what: "Rancher's smallest documented Docker install (1 vCPU, 4 GiB)" };

/** The architecture of the image a deployment looks up when the section names none: amd64 (lib/nodes/server-image.ts). */
export const DEFAULT_IMAGE_ARCHITECTURE: Architecture = 'x86_64';

export interface InstanceTypeRules {
  readonly minimum: InstanceMinimum;
  /** The section's override of the minimum (`allowSmallInstanceType`). */
  readonly allowSmall: boolean;
  /**
   * The architecture the servers' image is built for: the section's `architecture`, or the default image's (x86_64).
   * Undefined: an `amiId` is pinned and no `architecture` named, so the image's architecture is the person's to match.
   */
  readonly architecture: Architecture | undefined;
}

/**
 * The servers' architecture for a section (see InstanceTypeRules.architecture): its `architecture`; with neither that
 * nor an `amiId`, the default image's (x86_64); with a pinned `amiId` and no `architecture`, the instance type's row
 * of the table (a Graviton type is arm64: it boots only an arm64 image, so the pinned image is one, and the release
 * installed must be too). Undefined only when a pinned image's type is not a literal of the table (a library user's
 * Terraform reference), whose architecture nothing here can know.
 */
export function requiredArchitecture(s: {
  readonly architecture?: unknown;
  readonly amiId?: unknown;
  readonly instanceType?: unknown;
}): Architecture | undefined {
  if (s.architecture === 'x86_64' || s.architecture === 'arm64') return s.architecture;
  if (s.amiId === undefined) return DEFAULT_IMAGE_ARCHITECTURE;
  return typeof s.instanceType === 'string' ? INSTANCE_TYPES.get(s.instanceType)?.architecture : undefined;
}

/** Whether the section's architecture is read from its instance type's row (a pinned `amiId`, no `architecture`). */
export function architectureFromInstanceType(s: {
  readonly architecture?: unknown;
  readonly amiId?: unknown;
  readonly instanceType?: unknown;
}): boolean {
  return s.architecture === undefined && s.amiId !== undefined && requiredArchitecture(s) !== undefined;
}

/** The smallest types of the table at or above a minimum, as examples for messages. */
const SUGGESTED: Readonly<Record<Architecture, readonly string[]>> = { x86_64: ['m6i', 'm7i', 'm7a'], arm64: ['m7g', 'm8g'] };

function smallestFitting(family: string, minimum: InstanceMinimum): string | undefined {
  return [...INSTANCE_TYPES]
    .filter(([name, spec]) => name.startsWith(`${family}.`) && spec.vcpus >= minimum.vcpus && spec.memoryGib >= minimum.memoryGib)
    .sort(([, a], [, b]) => a.vcpus - b.vcpus || a.memoryGib - b.memoryGib)[0]?.[0];
}

/** Which rule a type of the table breaks, or undefined: the checks instanceTypeProblem words. */
function brokenRule(spec: InstanceTypeSpec, rules: InstanceTypeRules): 'architecture' | 'minimum' | undefined {
  if (rules.architecture !== undefined && spec.architecture !== rules.architecture) return 'architecture';
  if (!rules.allowSmall && (spec.vcpus < rules.minimum.vcpus || spec.memoryGib < rules.minimum.memoryGib)) return 'minimum';
  return undefined;
}

/** Why a type of the other architecture is refused, and what fits. */
function architectureProblem(rules: InstanceTypeRules, name: (field: string) => string, explicit: boolean): string {
  if (rules.architecture === 'arm64') {
    return `is an x86_64 type, and ${name('architecture')} is arm64 (Graviton), whose image it cannot boot; choose a Graviton type such as ${smallestFitting('m7g', rules.minimum)}, or set ${name('architecture')}: x86_64`;
  }
  if (explicit) {
    return `is a Graviton (arm64) type, and ${name('architecture')} is x86_64, whose image it cannot boot; choose an x86_64 type such as ${smallestFitting('m7i', rules.minimum)}, or set ${name('architecture')}: arm64`;
  }
  return `is a Graviton (arm64) type, and the default image is Ubuntu for x86_64 (amd64), which it cannot boot; choose an x86_64 type such as ${smallestFitting('m7i', rules.minimum)}, or set ${name('architecture')}: arm64 (or pin an arm64 image with ${name('amiId')})`;
}

/**
 * Why `type` is refused for a section, or undefined: not in the table (with the near name for a typo), of the other
 * architecture than the servers' image, or below the mode's documented minimum without the override. `name` names
 * the section's settings as the message's reader wrote them; `explicit` says the section named its architecture.
 */
export function instanceTypeProblem(type: string, rules: InstanceTypeRules, name: (field: string) => string, explicit = false): string | undefined {
  const spec = INSTANCE_TYPES.get(type);
  if (!spec) {
    const [family] = type.split('.');
    const near = nearestKey(type, [...INSTANCE_TYPES.keys()]);
    const guess = near ? ` (did you mean ${near}?)` : '';
    if (INSTANCE_FAMILIES.includes(family)) {
      const sizes = [...INSTANCE_TYPES.keys()].filter((name) => name.startsWith(`${family}.`)).map((name) => name.slice(family.length + 1));
      return `is not an EC2 instance type${guess}: ${family} comes in ${sizes.join(', ')}`;
    }
    return `is not an EC2 instance type of the families this project knows${guess}: ${INSTANCE_FAMILIES.join(', ')} (lib/config/instance-types.ts, from AWS's instance type specifications)`;
  }
  const broken = brokenRule(spec, rules);
  if (broken === 'architecture') return architectureProblem(rules, name, explicit);
  if (broken === 'minimum') {
    const examples = SUGGESTED[spec.architecture].map((family) => smallestFitting(family, rules.minimum)).filter((t) => t !== undefined);
    return `has ${spec.vcpus} vCPU and ${spec.memoryGib} GiB, below ${rules.minimum.what}; choose ${examples.join(', ')} or larger, or set ${name('allowSmallInstanceType')}: true for a trial that may run out of memory`;
  }
  return undefined;
}

/** The types the rules accept, for the Terraform variable's validation (the settings check, at plan time). */
export function acceptedInstanceTypes(rules: InstanceTypeRules): string[] {
  // The rules alone: wording a refusal (which looks for the smallest fitting types) for every type left out made
  // this quadratic in the table.
  return [...INSTANCE_TYPES]
    .filter(([, spec]) => brokenRule(spec, rules) === undefined)
    .map(([type]) => type)
    .sort();
}

/**
 * The table's rules for a settings section (rkeHa, docker) that may have failed elsewhere: a type of the wrong form
 * is reported by the field's own format rule, and nothing is said here.
 */
export function sectionInstanceTypeProblem(
  s: Record<string, unknown>,
  minimum: InstanceMinimum,
  name: (field: string) => string,
): string | undefined {
  const type = s.instanceType;
  if (typeof type !== 'string' || !INSTANCE_TYPE_FORMAT.test(type)) return undefined;
  const explicit = s.architecture === 'x86_64' || s.architecture === 'arm64';
  return instanceTypeProblem(type, { minimum, allowSmall: s.allowSmallInstanceType === true, architecture: requiredArchitecture(s) }, name, explicit);
}
