import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { arnRegion } from './aws';
import { DEPLOYMENT_RECORD_FORMAT, DEPLOYMENT_RECORD_ID, STORE_IDS, type DeploymentRecord } from '../../lib/common/deployment-record-format';
import type { ModuleState, StateResource } from './terraform';

/** The stacks the app synthesizes (stacks/). */
export const STACKS = ['rke-ha', 'k8s-ha', 'docker'] as const;

/**
 * The synthesized root module an operation drives: `cdktf.out/stacks/<stack>`
 * under the current directory, or the folder a pipeline names with `--dir`.
 */
export function moduleFolder(stack: string | undefined, dir: string | undefined, cwd = process.cwd()): string {
  if (dir !== undefined) {
    const folder = resolve(cwd, dir);
    if (!isModule(folder)) throw new ModuleMissing(`--dir ${dir}: no synthesized module there (no cdk.tf.json or cdk.tf in ${folder}).`, folder);
    return folder;
  }
  if (stack === undefined) throw new Error(`Name the stack (${STACKS.join(', ')}) or the module folder with --dir <folder>.`);
  if (!(STACKS as readonly string[]).includes(stack))
    throw new Error(`Unknown stack '${stack}': the stacks are ${STACKS.join(', ')} (or give --dir <folder>).`);
  const folder = resolve(cwd, 'cdktf.out', 'stacks', stack);
  if (!isModule(folder))
    throw new ModuleMissing(`${folder} holds no synthesized module: run \`npm run synth\` first (or give --dir <folder>).`, folder);
  return folder;
}

/** The folder a command acts on holds no synthesized module (a failure, exit 1: synthesize, or name the right folder). */
export class ModuleMissing extends Error {
  constructor(
    message: string,
    readonly folder: string,
  ) {
    super(message);
  }
}

function isModule(folder: string): boolean {
  return existsSync(folder) && statSync(folder).isDirectory() && (existsSync(join(folder, 'cdk.tf.json')) || existsSync(join(folder, 'cdk.tf')));
}

/** The deployment guard's record of a setting: `<prefix>deployment-guard_record-<setting>[_<hash>]`. */
const GUARD_RECORD = /^(.*_)?deployment-guard_record-(.+?)(_[0-9A-F]{8})?$/;
/** The deployment guard's own check, which every deployment has: `<prefix>deployment-guard_<hash>` (cdktf drops `guard`, the end of its parent's id). */
const GUARD = /^(.*_)?deployment-guard(_guard)?_[0-9A-F]{8}$/;
/** The deployment record: `deployment-record` (the app's id `Default`), `<path>_deployment-record_<hash>` under any other. */
const RECORD_NAME = new RegExp(`(^|_)${DEPLOYMENT_RECORD_ID}(_[0-9A-F]{8})?$`);

/**
 * A deployment of the module as the operations act on it: its record (lib/common/deployment-record-format.ts), or,
 * for a module a version before the records applied, the same worked out from the addresses (`source: 'addresses'`;
 * the name then only where the guard recorded it).
 */
export interface Deployment extends Omit<DeploymentRecord, 'format' | 'name' | 'region'> {
  readonly name?: string;
  readonly region?: string;
  readonly source: 'record' | 'addresses';
  /**
   * The id of the record's `terraform_data` in the state: Terraform gives each one a new random UUID when it creates
   * it and keeps it through in-place updates, so it tells this deployment from a later one of the same name and path
   * applied in the same folder (source `record` only).
   */
  readonly recordId?: string;
}

/** A terraform_data's input as the state holds it: a string, or `{ value, type }` for its dynamic type. */
function inputOf(r: StateResource): string | undefined {
  const input = r.attributes.input;
  return typeof input === 'string' ? input : (input as { value?: unknown } | undefined)?.value?.toString();
}

/**
 * Every deployment of the module, from the state: the records the constructs write (`terraform_data
 * ...deployment-record`); where there is none (applied by an older version), one per deployment guard found, from the
 * addresses its resources have under the guard's prefix (the app's id `Default` has none). A record in a format this
 * CLI does not know stops it (a newer version wrote it).
 */
export function readDeploymentRecords(state: ModuleState): Deployment[] {
  const records = state.resources.filter((r) => r.mode === 'managed' && r.type === 'terraform_data' && RECORD_NAME.test(r.name));
  if (records.length > 0) {
    return records.map((r) => {
      let record: DeploymentRecord;
      try {
        record = JSON.parse(inputOf(r) ?? '') as DeploymentRecord;
      } catch {
        throw new Error(`${r.address} does not hold a deployment record this command can read; nothing was changed.`);
      }
      if (record.format !== DEPLOYMENT_RECORD_FORMAT)
        throw new Error(
          `${r.address} is a deployment record in the format ${String(record.format)}, which this version of rancher-ha-aws does not know: use the version of the library that synthesized the module. Nothing was changed.`,
        );
      const { format: _format, ...rest } = record;
      const id = r.attributes.id;
      return { ...rest, source: 'record' as const, ...(typeof id === 'string' && id !== '' ? { recordId: id } : {}) };
    });
  }
  return fromAddresses(state);
}

/**
 * The one deployment an operation acts on: the one the module holds, or the one `--deployment` names (by its name,
 * or its construct path where two share a name). Throws, saying what to do, when it is not clear which.
 */
export function readDeploymentRecord(state: ModuleState, wanted?: string): Deployment {
  const all = readDeploymentRecords(state);
  const list = () =>
    [...all]
      .sort((a, b) => String(a.name).localeCompare(String(b.name), 'en'))
      .map((d) => `${d.name ?? '(no recorded name)'} (${d.kind}, construct ${d.path || 'at the stack'})`)
      .join(', ');
  if (wanted === undefined) {
    if (all.length === 1) return all[0];
    throw new ChoiceNeeded(
      `This module holds ${all.length} deployments: ${list()}. Name the one to act on with --deployment <name>. Nothing was changed.`,
    );
  }
  const byName = all.filter((d) => d.name === wanted);
  const matches = byName.length > 0 ? byName : all.filter((d) => d.path === wanted);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0)
    throw new ChoiceNeeded(`--deployment ${wanted}: no such deployment in this module; it holds ${list()}. Nothing was changed.`);
  throw new ChoiceNeeded(
    `--deployment ${wanted}: ${matches.length} deployments have that name (${list()}): give the construct path instead. Nothing was changed.`,
  );
}

/** Which deployment to act on is not clear from the module and the command line (exit 2, nothing done). */
export class ChoiceNeeded extends Error {}

/**
 * The state of a module folder and the deployment in it that an operations command (`verb`: roll, rotate) acts on;
 * undefined, with the reason said, when nothing was applied from the folder or it holds several deployments and none
 * was named.
 */
export async function appliedDeployment(
  terraform: { pull(): Promise<ModuleState> },
  dir: string,
  wanted: string | undefined,
  verb: string,
  log: (line: string) => void,
): Promise<{ readonly state: ModuleState; readonly deployment: Deployment } | undefined> {
  const state = await terraform.pull();
  if (state.resources.length === 0) {
    log(`No Terraform state in ${dir}: nothing was applied from this module (or its backend is another one). Nothing to ${verb}.`);
    return undefined;
  }
  try {
    return { state, deployment: readDeploymentRecord(state, wanted) };
  } catch (error) {
    if (!(error instanceof ChoiceNeeded)) throw error;
    log(error.message);
    return undefined;
  }
}

/** The deployments of a module applied before the records: one per guard prefix, its resources by the app's construct ids under it. */
function fromAddresses(state: ModuleState): Deployment[] {
  const prefixes = [
    ...new Set(
      state.resources
        .filter((r) => r.type === 'terraform_data')
        .map((r) => {
          const match = GUARD.exec(r.name) ?? GUARD_RECORD.exec(r.name);
          return match ? (match[1] ?? '') : undefined;
        })
        .filter((p): p is string => p !== undefined),
    ),
  ];
  if (prefixes.length === 0) prefixes.push('');
  // A name belongs to the longest prefix it starts with (`Default`'s empty one holds what no other does).
  const ownerOf = (name: string) => prefixes.filter((p) => name.startsWith(p)).sort((a, b) => b.length - a.length)[0];
  return prefixes.map((prefix) => {
    const own = state.resources.filter((r) => r.mode === 'managed' && ownerOf(r.name) === prefix);
    const local = (r: StateResource) => r.name.slice(prefix.length);
    const guardRecords: Record<string, string> = {};
    const values: Record<string, string> = {};
    for (const r of own.filter((r) => r.type === 'terraform_data')) {
      const match = GUARD_RECORD.exec(r.name);
      if (!match || (match[1] ?? '') !== prefix) continue;
      guardRecords[match[2]] = r.address;
      const value = inputOf(r);
      if (value !== undefined) values[match[2]] = value;
    }
    const ofType = (type: string, where: (r: StateResource) => boolean = () => true) => own.filter((r) => r.type === type && where(r));
    const servers = ofType('aws_instance', (r) => /^server-\d+_instance/.test(local(r)))
      .map((r) => ({ name: local(r).replace(/_instance.*$/, ''), address: r.address }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    const store = (r: StateResource) => (STORE_IDS as readonly string[]).some((id) => local(r).startsWith(`${id}_`));
    const databases = ofType('aws_db_instance').map((r) => r.address);
    const instances = ofType('aws_instance').length;
    const image = ofType('terraform_data', (r) => /^ami_recorded-image(_[0-9A-Fa-f]+)?$/.test(local(r)))[0];
    const inCluster = own.some((r) => /^(helm|kubernetes|rancher2)_/.test(r.type));
    return {
      source: 'addresses' as const,
      name: values.name,
      kind: servers.length > 0 ? 'rke-ha' : instances > 0 ? 'docker' : inCluster ? 'k8s-ha' : 'rke-ha',
      ...(servers.length > 0 ? { distribution: values['rkeHa-distribution'] === 'k3s' || databases.length > 0 ? 'k3s' : 'rke2' } : {}),
      region: values.region ?? regionFromArns(state),
      path: prefix.replace(/_$/, '').replace(/_/g, '/'),
      servers,
      ...(image ? { recordedImage: image.address } : {}),
      stores: [...ofType('aws_s3_bucket', store), ...ofType('aws_cloudwatch_log_group', store)].map((r) => r.address),
      loadBalancers: ofType('aws_lb').map((r) => r.address),
      databases,
      dataVolumes: ofType('aws_ebs_volume').map((r) => r.address),
      guardRecords,
    } as Deployment;
  });
}

/**
 * The region most of the state's ARNs name (the first seen of those named as often): the module's own. A module
 * holds resources of other regions too, through aliased providers (a standby's pilot light: the `/ping` check's alarm,
 * topic and key in us-east-1, which its state lists first), so the first ARN's region is not the module's.
 */
function regionFromArns(state: ModuleState): string | undefined {
  const counts = new Map<string, number>();
  for (const r of state.resources) {
    const region = typeof r.attributes.arn === 'string' ? arnRegion(r.attributes.arn) : undefined;
    if (region) counts.set(region, (counts.get(region) ?? 0) + 1);
  }
  return [...counts].reduce<[string, number] | undefined>((best, entry) => (best === undefined || entry[1] > best[1] ? entry : best), undefined)?.[0];
}

/** The managed resources of one type. */
export function managed(state: ModuleState, type: string): StateResource[] {
  return state.resources.filter((r) => r.mode === 'managed' && r.type === type);
}

/** The managed resources at these addresses that the state holds (a record may name one already gone). */
export function inState(state: ModuleState, addresses: readonly string[]): StateResource[] {
  const wanted = new Set(addresses);
  return state.resources.filter((r) => r.mode === 'managed' && wanted.has(r.address));
}
