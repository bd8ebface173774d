import { STANDBY_STATE_PARAMETER, STANDBY_TARGET_PARAMETER } from '../../lib/standby/standby-facts-keys';
import type { AwsClients } from '../shared/aws/clients';
import type { IoHost } from '../shared/io/io-host';
import { managed } from '../shared/module-folder';
import { type ModuleState, stringAttribute } from '../shared/terraform';
import { initAndApply, localModuleProblems, type ModuleJson, readModuleJson } from '../shared/throwaway';
import { preparedDeployerArgs, type StateResource } from './prepared-deployer';

// The standby's pilot light (docs/failover.md, issue 91 items 1 and 6): what of the standby deployment exists in the
// standby region before the outage, so the failover needs neither the lost region nor a global control plane.

/** The SDK's side, loaded at the first SDK call (scripts/build.js bundles it apart). */
const sdkSide = () => import('../shared/aws/sdk-side');

/** The longest the standby's `terraform apply` may take before the failover gives up (a rerun continues it). */
export const FAILOVER_APPLY_TIMEOUT_MS = 10_800_000;

/** The longest the read of the standby's state (`terraform state pull`, before the failover's apply) may take. */
export const STATE_PULL_TIMEOUT_MS = 300_000;

/** The SSM parameter (standby region) naming the bucket of the standby's state: production's apply writes it (lib/standby/standby-state.ts). */
export const standbyStateParameter = (productionName: string, stack: string): string => `/${productionName}/${stack}${STANDBY_STATE_PARAMETER}`;

/**
 * Where the standby's state is kept: the bucket production's apply made in the standby region (its parameter read
 * there), or a local file when asked for (`local`) or when production's apply made none (a deployment not applied
 * with this version: said with FAILOVER_STATE_LOCAL, as a failover in the outage cannot apply production first).
 */
export async function standbyStateOf(
  o: { readonly io: IoHost; readonly localState?: boolean; readonly stack: string },
  clients: AwsClients,
  productionName: string,
  region: string,
): Promise<{ readonly bucket: string } | 'local'> {
  if (o.localState) return 'local';
  const name = standbyStateParameter(productionName, o.stack);
  const found = await (await sdkSide()).readSecureParameter(clients, name);
  if (found) return { bucket: found.value };
  o.io.warn(
    'FAILOVER_STATE_LOCAL',
    `${region} holds no ${name}: production was not applied with a version that keeps the standby's state there. The standby's state, with its secrets, is a local file in the failover's folder; once production's region is back, move it to a bucket (terraform init -migrate-state; docs/failover.md).`,
    { parameter: name },
  );
  return 'local';
}

/**
 * Why the synthesized standby may not be applied beside production, or nothing: its backend is the state bucket in
 * the standby region (and nothing else), or a local file in the failover's folder (throwaway.ts); no Route 53 record.
 */
export function standbyModuleProblems(
  json: ModuleJson,
  moduleDir: string,
  root: string,
  state: { bucket: string } | 'local',
  region: string,
): string[] {
  if (state === 'local') return localModuleProblems(json, moduleDir, root);
  const problems: string[] = [];
  const backend = json.terraform?.backend ?? {};
  const s3 = (backend as Record<string, { bucket?: string; region?: string } | undefined>).s3;
  if (Object.keys(backend).length !== 1 || s3?.bucket !== state.bucket || s3.region !== region)
    problems.push(`its state backend is not the bucket ${state.bucket} in ${region}`);
  if (json.resource?.aws_route53_record) problems.push('it has a Route53 record');
  return problems;
}

/**
 * The restore file the prepared module names (a name of the operator's form, restoring nothing): the pilot light
 * reaches no resource that names the file (pilotLightProblems), so the failover's own choice changes none of it.
 */
export const PREPARED_FILE = 'rancher-aws-pilot-light-00000000-0000-4000-8000-000000000000-2026-01-01T00-00-00Z.tar.gz.enc';

/** The resource types whose create goes through a global control plane served from us-east-1 (AWS Fault Isolation Boundaries, Appendix A). */
const CONTROL_PLANE = /^aws_(iam_[a-z_]+|s3_bucket|s3_bucket_[a-z_]+|route53_health_check)$/;

/** What the pilot light must not reach: servers, a datastore, the cluster and what waits for Rancher (readiness). */
const RUNNING =
  /^(aws_instance|aws_launch_template|aws_autoscaling_[a-z_]+|aws_db_instance|helm_release|kubernetes_[a-z0-9_]+|rancher2_[a-z_]+|data\.http)\./;

/**
 * The one running resource the pilot light makes all the same: K3s' datastore (lib/database/external-datastore.ts),
 * which AWS takes minutes to create (the failover's RTO, docs/development/standby-rto.md) and which needs nothing that
 * runs (its subnets, subnet group, security group and password; the servers' rule into it comes with the servers).
 * Empty, it waits for the failover's servers; it costs its hours at rest (docs/cost.md).
 */
const AHEAD = 'aws_db_instance';

type Blocks = Record<string, Record<string, Record<string, unknown>>>;
interface Module {
  readonly resource?: Blocks;
  readonly data?: Blocks;
  readonly locals?: Record<string, unknown>;
  readonly provider?: { readonly aws?: readonly { readonly alias?: string; readonly region?: string }[] };
}

/** Every block of the module by address (`type.name`, `data.type.name`, `local.name`): what an expression can name. */
function blocksOf(json: Module): Map<string, unknown> {
  const blocks = new Map<string, unknown>();
  for (const [type, byName] of Object.entries(json.resource ?? {}))
    for (const [name, body] of Object.entries(byName)) blocks.set(`${type}.${name}`, body);
  for (const [type, byName] of Object.entries(json.data ?? {}))
    for (const [name, body] of Object.entries(byName)) blocks.set(`data.${type}.${name}`, body);
  for (const [name, body] of Object.entries(json.locals ?? {})) blocks.set(`local.${name}`, body);
  return blocks;
}

const REFERENCE = /\b(data\.[a-z0-9_]+\.[A-Za-z0-9_-]+|local\.[A-Za-z0-9_-]+|[a-z0-9]+_[a-z0-9_]+\.[A-Za-z0-9_-]+)/g;

/**
 * What `terraform apply -target=<address>...` applies: the targets and everything they depend on, through references
 * and `depends_on`, locals and data sources included (Terraform's "Resource Targeting": a target brings its
 * dependencies, never its dependents). Addresses of resources and data sources.
 */
export function targetClosure(json: Module, targets: readonly string[]): Set<string> {
  const blocks = blocksOf(json);
  const seen = new Set<string>();
  const stack = [...targets];
  while (stack.length > 0) {
    const address = stack.pop()!;
    if (seen.has(address) || !blocks.has(address)) continue;
    seen.add(address);
    for (const m of JSON.stringify(blocks.get(address)).matchAll(REFERENCE)) if (m[1] !== address && blocks.has(m[1])) stack.push(m[1]);
  }
  return new Set([...seen].filter((a) => !a.startsWith('local.')));
}

/**
 * The pilot light's targets in the standby's module: every resource made through a global control plane (IAM, S3
 * buckets and their configuration, Route 53 health checks), every resource of another region than the standby's (the
 * health check's alarm, topic and key in us-east-1: lost with a us-east-1 primary), the load balancer the DNS move
 * leads to (rke-ha's NLB), and K3s' datastore (AHEAD). What they depend on comes with them (targetClosure).
 */
export function pilotLightTargets(json: Module): string[] {
  const aws = json.provider?.aws ?? [];
  const home = aws.find((p) => p.alias === undefined)?.region;
  const elsewhere = (provider: unknown) => {
    const alias = typeof provider === 'string' ? provider.replace(/^aws\./, '') : undefined;
    const region = aws.find((p) => (alias ? p.alias === alias : p.alias === undefined))?.region;
    return region !== undefined && region !== home;
  };
  const targets: string[] = [];
  for (const [type, byName] of Object.entries(json.resource ?? {}))
    for (const [name, body] of Object.entries(byName))
      if (CONTROL_PLANE.test(type) || type === 'aws_lb' || type === AHEAD || (type.startsWith('aws_') && elsewhere(body.provider)))
        targets.push(`${type}.${name}`);
  return targets.sort();
}

/**
 * Why the pilot light of this module cannot be applied ahead: what of the running deployment its targets would bring,
 * K3s' datastore (AHEAD) the one exception.
 */
export function pilotLightProblems(json: Module): string[] {
  const reached = [...targetClosure(json, pilotLightTargets(json))].filter((a) => RUNNING.test(a) && !a.startsWith(`${AHEAD}.`)).sort();
  return reached.length ? [`its targets bring ${reached.slice(0, 5).join(', ')}${reached.length > 5 ? ` and ${reached.length - 5} more` : ''}`] : [];
}

/** K3s' datastore among the pilot light's targets (AHEAD): the prepare makes it, so the failover's apply finds it. */
export const datastoreAhead = (targets: readonly string[]): boolean => targets.some((t) => t.startsWith(`${AHEAD}.`));

/**
 * Whether the standby's state holds its pilot light (a prepared standby; a failover's rerun holds more), enough for
 * an apply with `-refresh=false`: every target but K3s' datastore, which such an apply creates reading no control
 * plane (a standby prepared before the prepare made it: the failover makes it, as it did then).
 */
export const holdsPilotLight = (json: Module, addresses: ReadonlySet<string>): boolean =>
  pilotLightTargets(json)
    .filter((target) => !datastoreAhead([target]))
    .every((target) => addresses.has(target) || [...addresses].some((a) => a.startsWith(`${target}[`)));

/** The resources of the standby's state, read through its module (`terraform init`, `terraform state pull`). */
export async function standbyStateResources(
  moduleDir: string,
  options: { readonly io: IoHost; readonly interrupted: () => boolean; readonly stop?: AbortSignal },
): Promise<(StateResource & { readonly name: string })[]> {
  const pulled = await initAndApply(moduleDir, {
    ...options,
    apply: ['state', 'pull'],
    capture: true,
    applyTimeoutMs: STATE_PULL_TIMEOUT_MS,
    failed: "the standby's state could not be read",
    output: options.io.lines('FAILOVER_TERRAFORM_OUTPUT'),
  });
  const text = pulled.stdout.trim();
  return text ? ((JSON.parse(text) as { resources?: (StateResource & { readonly name: string })[] }).resources ?? []) : [];
}

/**
 * The failover's `terraform apply` arguments: with the pilot light in the standby's state (prepared), `-refresh=false`,
 * so the apply creates what is left and reads none of what is there (a refresh of an IAM role or a bucket's policy is
 * a call to a control plane of us-east-1); without it, the whole module, warned (FAILOVER_NOT_PREPARED): the failover
 * then needs us-east-1's control planes, and a failover refused in an outage would leave nothing to do.
 */
export async function failoverApplyArgs(
  moduleDir: string,
  options: {
    readonly io: IoHost;
    readonly stack: string;
    readonly interrupted: () => boolean;
    readonly stop?: AbortSignal;
    /** Who runs the failover (STS GetCallerIdentity's ARN, in the standby region). */
    readonly caller: () => Promise<string>;
  },
): Promise<string[]> {
  const resources = await standbyStateResources(moduleDir, options);
  const held = new Set(resources.filter((r) => r.mode === 'managed').map((r) => `${r.type}.${r.name}`));
  const json = readModuleJson(moduleDir);
  const apply = ['apply', '-auto-approve', '-input=false'];
  // Prepared: the identity the pilot light read stands in for IAM's answer (prepared-deployer.ts).
  if (json && holdsPilotLight(json as never, held))
    return [...apply, '-refresh=false', ...(await preparedDeployerArgs({ ...options, module: json as never, resources }))];
  options.io.warn(
    'FAILOVER_NOT_PREPARED',
    `The standby's state holds no pilot light: this apply makes its IAM roles, S3 buckets and Route 53 health check too, through control planes served from us-east-1 (lost with a us-east-1 primary). Prepare after each deploy of production: npm run failover -- ${options.stack} --prepare (docs/failover.md).`,
  );
  return apply;
}

/** The SSM parameter (standby region) naming the standby's load balancer, which production's failover record leads to. */
export const standbyTargetParameter = (productionName: string, stack: string): string => `/${productionName}/${stack}${STANDBY_TARGET_PARAMETER}`;

/** What the parameter holds: an alias target (rke-ha's NLB), as production's failover record of the hostname needs it. */
export interface StandbyTarget {
  readonly dnsName: string;
  readonly zoneId: string;
  readonly type: 'alias';
}

/** The standby's NLB as its state holds it once prepared, or undefined (k8s-ha: the ingress is the person's cluster's). */
export function standbyTargetOf(state: ModuleState): StandbyTarget | undefined {
  const lb = managed(state, 'aws_lb')[0]?.attributes;
  const dnsName = stringAttribute(lb?.dns_name);
  const zoneId = stringAttribute(lb?.zone_id);
  return dnsName && zoneId ? { dnsName, zoneId, type: 'alias' } : undefined;
}
