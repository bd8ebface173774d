import { Token } from 'cdktf';
import type { z } from 'zod';
import {
  SECTION_FIELDS,
  type rancherOnDockerSchema,
  type rancherOnExistingClusterSchema,
  type rancherOnRkeSchema,
} from '../../config/deployment-schema';
import { SettingsError } from '../../config/errors';
import { toProblems, type UnknownKeyMessage } from '../../config/problems';
import { shapesOf } from '../../config/schema-shapes';
import { nearestKey } from '../../config/nearest-key';
import { generatedNameProblems, type NamedStacks } from '../../config/resource-names';
import type { CommonDeploymentProps, PublicNameProps, VpcProps } from '../props';
import { SECTION_ADAPTERS } from './existing-network-props';
import { propsPath, type SectionName } from '../../config/setting-names';

/** A construct's own section's props (rkeHa's, k8sHa's or docker's), an existing network in settings-file form. */
type SectionValues = Record<string, unknown>;

/** The schema a construct checks its props with (lib/config/deployment-schema.ts). */
type ConstructSchema = typeof rancherOnRkeSchema | typeof rancherOnExistingClusterSchema | typeof rancherOnDockerSchema;

/** Props no settings file has (the app's `deployer_arns` and `read_deployer_session` variables). */
const PROPS_ONLY = ['deployerArns', 'readsDeployerSession'];

/**
 * A construct's props checked and completed with its own schema, which holds
 * the rules and defaults a settings file gets (one set of rules for YAML and
 * library users): unknown keys, ranges, the TLS pairs, versions that fit
 * together, quorum, names AWS would refuse in the names built with the stack's
 * id (`names`). The props and the schema are flat alike: the construct's own
 * section's fields (`section`: rkeHa, k8sHa or docker) beside the deployment's;
 * only an existing network's objects are turned into their ids first.
 * Values that are Terraform references (the hostname, the zone, the admin
 * networks of the app's variables) are left to their variable validations.
 * Throws a SettingsError naming each wrong prop as the props name it
 * (`nodeCount`, `existingNetwork.nodeSubnets[1]`), whoever called: the app
 * checks a settings file with the same rules first, in the file's words.
 */
export function resolveProps<S extends ConstructSchema>(
  schema: S,
  props: CommonDeploymentProps & PublicNameProps & { readonly adminCidrs?: readonly string[]; readonly vpc?: VpcProps },
  section: SectionName,
  label: string,
  names: NamedStacks = {},
  /**
   * The props as the user gave them, before the construct completed them (`region`): the section's fields are
   * gathered from them.
   */
  given: object = props,
): z.output<S> {
  const { own, unknown, wrapped, adapted } = gather(schema, given, section);
  const literal = (value: string | undefined) => (value !== undefined && !Token.isUnresolved(value) ? value : undefined);
  // A list of literals is checked; a reference (a list token, or references in it) is its variable's to check. Anything
  // else (plain JavaScript passing a string or a number) goes to the schema, which says what a list needs.
  const cidrs: unknown = props.adminCidrs;
  const references = Token.isUnresolved(cidrs) || (Array.isArray(cidrs) && cidrs.some((cidr) => Token.isUnresolved(cidr)));
  const adminCidrs = references ? undefined : cidrs;
  const fields: Record<string, unknown> = {
    name: props.name,
    region: props.region,
    hostname: literal(props.hostname),
    hostedZone: literal(props.hostedZone),
    dns: props.dns,
    adminCidrs,
    rancher: props.rancher,
    versions: props.versions,
    proxy: props.proxy,
    airGap: props.airGap,
    timeouts: props.timeouts,
    backups: props.backups,
    alarms: props.alarms,
    vpc: props.vpc,
    // RancherOnRke's alone (a settings file's top-level `standby`); the other schemas have no such field, and gather
    // reports it to them as a prop they do not know.
    standby: (given as { readonly standby?: unknown }).standby,
    // The section's own, after the deployment's: RancherOnExistingCluster's `dns` is its section's (the record's target).
    ...withoutReferences(own),
  };
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) if (fields[key] !== undefined) input[key] = fields[key];
  // jitless: one parse a synth; zod's compiled fast path (new Function on a schema's first parse) costs more than it saves.
  const result = schema.safeParse(input, { reportInput: true, jitless: true });
  const problems = result.success ? [] : result.error.issues.flatMap((issue) => toProblems(issue, input, unknownNestedProp(schema)));
  problems.unshift(...unknownProblems(schema, unknown), ...adapted, ...notTakenProblems(section, given));
  if (wrapped) problems.unshift(wrapperProblem(section, wrapped));
  // RancherOnExistingCluster has no dns: its name is always the one given.
  problems.push(...nameProblems('dns' in schema.shape ? props : { ...props, dns: undefined }));
  problems.push(...deployerProblems((props as { readonly deployerArns?: unknown }).deployerArns));
  problems.push(...sessionProblems((props as { readonly readsDeployerSession?: unknown }).readsDeployerSession));
  if (section === 'rkeHa') problems.push(...pinnedImageProblems(own));
  if (!result.success || problems.length > 0) {
    // The messages name the props as the props do already; an existing network's paths are of its settings-file form.
    const named = problems.map((p) => ({ ...p, field: propsPath(p.field, section) }));
    throw new SettingsError(label, named, 'Invalid props of');
  }
  // One of the three schemas (S), which safeParse types as their union.
  const resolved = result.data as z.output<S>;
  restoreReferences(resolved, own);
  // The names AWS would refuse, built with this stack's id (the settings file checks the app's stack ids).
  const awsNameProblems = generatedNameProblems(resolved.name, names);
  if (awsNameProblems.length > 0)
    throw new SettingsError(
      label,
      awsNameProblems.map((message) => ({ field: 'name', message, value: resolved.name })),
      'Invalid props of',
    );
  return resolved;
}

/**
 * Props of the shared sections a construct narrows to what it uses (RancherOnDockerProps.rancher), each with why it
 * is not the construct's: its type leaves them out, and this refuses them from plain JavaScript. A settings file's
 * sections are whole (they serve the other stacks too), so props made from one are not checked here.
 */
const NOT_TAKEN: Readonly<Partial<Record<SectionName, Readonly<Record<string, Readonly<Record<string, string>>>>>>> = {
  docker: {
    rancher: {
      replicas: "not a prop of RancherOnDocker: the Helm chart's replicas (one container)",
      tls: "not a prop of RancherOnDocker: the Helm chart's tls; the container's certificate is the construct's own tls",
    },
  },
};

function notTakenProblems(section: SectionName, props: object): { field: string; message: string; value?: unknown }[] {
  return Object.entries(NOT_TAKEN[section] ?? {}).flatMap(([prop, keys]) => {
    const given: unknown = (props as Record<string, unknown>)[prop];
    if (given === null || typeof given !== 'object') return [];
    return Object.entries(keys)
      .filter(([key]) => (given as Record<string, unknown>)[key] !== undefined)
      .map(([key, message]) => ({
        field: `${prop}.${key}`,
        message,
        value: (given as Record<string, unknown>)[key],
      }));
  });
}

/**
 * The props sorted: the fields of the construct's own section into `own` (an existing network in settings-file
 * form); props the construct does not know into `unknown`; and the old wrapper (`rkeHa: {...}`, the props' shape
 * before 0.4), which is refused with the way to write it now.
 */
function gather(
  schema: ConstructSchema,
  props: object,
  section: SectionName,
): { own: SectionValues; unknown: Record<string, unknown>; wrapped?: unknown; adapted: { field: string; message: string; value?: unknown }[] } {
  const shape = schema.shape as Record<string, z.ZodType>;
  const own = new Set(Object.keys(SECTION_FIELDS[section]));
  const values: Record<string, unknown> = {};
  const unknown: Record<string, unknown> = {};
  let wrapped: unknown;
  // Props whose settings-file form differs (an existing network's objects: ids), converted, or left out with problems.
  const adapted: { field: string; message: string; value?: unknown }[] = [];
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const adapter = SECTION_ADAPTERS[section][key];
    if (key === section) wrapped = value;
    else if (adapter) {
      const converted = adapter(value, key, adapted);
      if (converted !== undefined) values[key] = converted;
    } else if (own.has(key)) values[key] = value;
    else if (!(key in shape) && !PROPS_ONLY.includes(key)) unknown[key] = value;
  }
  return { own: values, unknown, wrapped, adapted };
}

/** Props the construct does not know, each with the nearest one it does (a misspelt `nodeCont`). */
function unknownProblems(schema: ConstructSchema, unknown: Record<string, unknown>): { field: string; message: string; value?: unknown }[] {
  const shape = schema.shape as Record<string, z.ZodType>;
  const known = [...Object.keys(shape), ...PROPS_ONLY];
  return Object.entries(unknown).map(([key, value]) => {
    const near = nearestKey(key, known);
    return { field: key, message: near ? `unknown prop; did you mean ${near}?` : `unknown prop; known: ${known.join(', ')}`, value };
  });
}

/** A key inside a prop (`datastore.engin`) that the prop does not have, with the nearest one it does. */
function unknownNestedProp(schema: ConstructSchema): UnknownKeyMessage {
  return (path, key) => {
    let schemas: z.ZodType[] = [schema];
    for (const step of path) schemas = schemas.flatMap((s) => shapesOf(s).flatMap((shape) => (shape[step] ? [shape[step]] : [])));
    const known = [...new Set(schemas.flatMap((s) => shapesOf(s).flatMap((shape) => Object.keys(shape))))];
    const near = nearestKey(key, known);
    return near ? `unknown prop; did you mean ${near}?` : `unknown prop; known here: ${known.join(', ')}`;
  };
}

/** The props of a section's wrapper (`rkeHa: {...}`), which the props no longer have: its fields sit beside the others. */
function wrapperProblem(section: SectionName, value: unknown): { field: string; message: string; value?: unknown } {
  const keys = Object.keys(SECTION_FIELDS[section]);
  return {
    field: section,
    message: `the props have no ${section} wrapper (since 0.4.0): give its props directly, beside the others (${keys.slice(0, 4).join(', ')}, ...); docs/library.md, "Migrating from 0.3"`,
    value: value !== null && typeof value === 'object' ? `{ ${Object.keys(value).join(', ')} }` : value,
  };
}

/** A Graviton type at or above every mode's minimum (4 vCPU, 16 GiB), standing in for a referenced instance type. */
const ARM64_STAND_IN = 'm7g.xlarge';

/** Mode fields that may be Terraform references (the stacks' variables), checked by their variable's validation. */
const REFERENCE_FIELDS = ['instanceType'] as const;

/** The section's props without the references of REFERENCE_FIELDS (their defaults are filled in, then put back). */
function withoutReferences(own: SectionValues): SectionValues {
  const copy: SectionValues = { ...own };
  for (const field of REFERENCE_FIELDS) if (typeof copy[field] === 'string' && Token.isUnresolved(copy[field])) delete copy[field];
  // The default type stands in for a reference while the section is checked, and is x86_64: with `architecture:
  // arm64` a Graviton type of both modes' minimums stands in instead (the reference is its variable's to check).
  if (!('instanceType' in copy) && copy.architecture === 'arm64' && Token.isUnresolved(own.instanceType)) copy.instanceType = ARM64_STAND_IN;
  return copy;
}

function restoreReferences(resolved: object, own: SectionValues): void {
  for (const field of REFERENCE_FIELDS) {
    const value = own[field];
    if (typeof value === 'string' && Token.isUnresolved(value)) (resolved as Record<string, unknown>)[field] = value;
  }
}

/**
 * The props themselves, before anything reads them: plain JavaScript may pass none, or something else than an
 * object, which would otherwise fail as a TypeError deep in the construct.
 */
export function requireProps<P extends object>(props: P | undefined, label: string): P {
  if (props !== null && typeof props === 'object' && !Array.isArray(props)) return props;
  throw new SettingsError(
    label,
    [
      {
        field: '(props)',
        message: 'expected an object of props (hostname, hostedZone, adminCidrs, ...)',
        value: props === undefined ? undefined : typeof props,
      },
    ],
    'Invalid props of',
  );
}

/** `deployerArns`, which no settings file has: a list of IAM ARNs, or a Terraform reference. */
function deployerProblems(arns: unknown): { field: string; message: string; value?: unknown }[] {
  if (arns === undefined || Token.isUnresolved(arns)) return [];
  if (Array.isArray(arns) && arns.every((arn) => typeof arn === 'string')) return [];
  return [
    { field: 'deployerArns', message: 'expected a list of IAM role or user ARNs, such as arn:aws:iam::123456789012:role/deployer', value: arns },
  ];
}

/** `readsDeployerSession`, which no settings file has: a boolean, or a Terraform reference. */
function sessionProblems(reads: unknown): { field: string; message: string; value?: unknown }[] {
  if (reads === undefined || typeof reads === 'boolean' || Token.isUnresolved(reads)) return [];
  return [{ field: 'readsDeployerSession', message: 'expected true or false (or a Terraform boolean)', value: reads }];
}

/**
 * RancherOnRke's servers install the RKE2 or K3s release of their image's architecture: with a pinned `amiId` and no
 * `architecture`, the instance type's row of the table says it (a Graviton type boots only an arm64 image). A type
 * that is a Terraform reference has no row, and the amd64 release on an arm64 image would stop every server at boot.
 */
function pinnedImageProblems(own: SectionValues): { field: string; message: string; value?: unknown }[] {
  if (own.amiId === undefined || own.architecture !== undefined || !Token.isUnresolved(own.instanceType)) return [];
  return [
    {
      field: 'architecture',
      message:
        "is required with amiId when instanceType is a Terraform reference: the servers install the RKE2 or K3s release of the image's architecture, which nothing can read from a reference at synth; set x86_64 or arm64, the pinned image's",
    },
  ];
}

/**
 * What the schema cannot see of Rancher's name: it is given a literal
 * hostname or zone only (references are left to their variables), so a
 * reference with `dns.mode` wildcard, and a missing name without it, are
 * checked here.
 */
function nameProblems(props: PublicNameProps): { field: string; message: string; value?: unknown }[] {
  const wildcard = props.dns?.mode === 'wildcard';
  const given = { hostname: props.hostname, hostedZone: props.hostedZone };
  return Object.entries(given).flatMap(([field, value]) => {
    if (!wildcard && value === undefined)
      return [{ field, message: 'required unless dns.mode is wildcard (Rancher named after an Elastic IP, no domain needed)' }];
    if (wildcard && value !== undefined && Token.isUnresolved(value)) {
      return [
        {
          field,
          message:
            "cannot be set with dns.mode wildcard, which derives Rancher's name from an Elastic IP; leave out hostname and hostedZone, or set dns.mode: route53",
          value: '<a Terraform reference>',
        },
      ];
    }
    return [];
  });
}

/** A Route53 name (hostname or zone) of the props: resolveProps refused a missing one already. */
export function requiredName(value: string | undefined): string {
  if (value === undefined) throw new Error('hostname and hostedZone are required unless dns.mode is wildcard');
  return value;
}
