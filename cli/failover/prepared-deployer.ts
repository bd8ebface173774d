import type { IoHost } from '../shared/io/io-host';

// The deployer of the standby's boot parameters, as the pilot light read it (issue 91 item 1). rke-ha's key policy
// names the identity running Terraform, which each plan reads with aws_iam_session_context: for an assumed role that
// is IAM's GetRole (terraform-provider-aws, the data source's read looks the role up by name to learn its path),
// served by IAM's control plane in us-east-1. The failover's plan gives the identity the prepare read instead
// (`read_deployer_session` false, `deployer_arns` naming it): the key policy the pilot light made stays as it is, and
// the plan makes no IAM call.

/** The variable that turns the read off (app/deployment-variables.ts). */
export const READ_DEPLOYER_SESSION = 'read_deployer_session';

export interface StateResource {
  readonly mode: string;
  readonly type: string;
  readonly instances?: readonly { readonly attributes?: Record<string, unknown> }[];
}

/** The identities (role or user ARNs) the pilot light's apply read as the one running it. */
export function preparedDeployers(resources: readonly StateResource[]): string[] {
  const arns = resources
    .filter((r) => r.mode === 'data' && r.type === 'aws_iam_session_context')
    .flatMap((r) => (r.instances ?? []).map((i) => i.attributes?.issuer_arn))
    .filter((arn): arn is string => typeof arn === 'string' && arn !== '');
  return [...new Set(arns)];
}

/** `TF_VAR_deployer_arns` as Terraform reads it (a list in HCL or JSON form: JSON is what this reads), or none. */
function ownDeployers(env: NodeJS.ProcessEnv): string[] {
  const text = env.TF_VAR_deployer_arns;
  if (!text) return [];
  try {
    const list: unknown = JSON.parse(text);
    return Array.isArray(list) ? list.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Whether `deployers` (role and user ARNs) name the identity behind `caller` (STS GetCallerIdentity's ARN): a user by
 * its ARN, an assumed role by its account and name (a role ARN has a path the session's ARN does not carry).
 */
export function namesCaller(deployers: readonly string[], caller: string): boolean {
  const session = /^arn:([^:]+):sts::(\d+):assumed-role\/([^/]+)\//.exec(caller);
  if (!session) return deployers.includes(caller);
  const [, partition, account, role] = session;
  return deployers.some((arn) => {
    const m = /^arn:([^:]+):iam::(\d+):role\/(?:.*\/)?([^/]+)$/.exec(arn);
    return m !== null && m[1] === partition && m[2] === account && m[3] === role;
  });
}

/**
 * The failover apply's variables that keep its plan off IAM: none for a module without the variable (k8s-ha: no boot
 * parameters) or when the pilot light read no deployer, or the caller is not among those it read and the person's
 * own `deployer_arns` (then the plan reads the caller as before, warned: a call to IAM's control plane, and the
 * key must let the caller write the standby's parameters).
 */
export async function preparedDeployerArgs(o: {
  readonly io: IoHost;
  readonly stack: string;
  readonly module: { readonly variable?: Record<string, unknown> } | undefined;
  readonly resources: readonly StateResource[];
  readonly caller: () => Promise<string>;
  readonly env?: NodeJS.ProcessEnv;
}): Promise<string[]> {
  if (!o.module?.variable?.[READ_DEPLOYER_SESSION]) return [];
  const prepared = preparedDeployers(o.resources);
  const prepareAgain = `npm run failover -- ${o.stack} --prepare`;
  if (prepared.length === 0) {
    o.io.warn(
      'FAILOVER_READS_IAM',
      `The standby's state holds no deployer read by its pilot light (prepared before this version): this plan reads the identity running it from IAM (GetRole, IAM's control plane in us-east-1). Prepare again after each deploy: ${prepareAgain}.`,
    );
    return [];
  }
  const deployers = [...new Set([...prepared, ...ownDeployers(o.env ?? process.env)])];
  const caller = await o.caller();
  if (!namesCaller(deployers, caller)) {
    o.io.warn(
      'FAILOVER_READS_IAM',
      `This failover runs as ${caller}, which the pilot light was not prepared with (${prepared.join(', ')}): the standby's boot key must let it write the parameters, so this plan reads it from IAM (GetRole, IAM's control plane in us-east-1). Prepare as the identity that fails over, or list it in TF_VAR_deployer_arns for both: ${prepareAgain}.`,
      { caller, prepared },
    );
    return [];
  }
  return [`-var=${READ_DEPLOYER_SESSION}=false`, `-var=deployer_arns=${JSON.stringify(deployers)}`];
}
