import { DataAwsSsmParametersByPath } from '@cdktn/provider-aws/lib/data-aws-ssm-parameters-by-path';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { regionProvider } from '../common/providers';
import { FAILOVER_FENCE_PARAMETER, FAILOVER_FENCE_REGION_PARAMETER } from './standby-facts-keys';

export { FAILOVER_FENCE_PARAMETER, FAILOVER_FENCE_REGION_PARAMETER };

/** Production's records of Rancher's hostname, and where the failover's fence would be. */
export interface FailoverFenceProps {
  /** The standby region's AWS provider: the fence is read there, never in production's region. */
  readonly provider: AwsProvider;
  /** The standby's region (a literal), for the message. */
  readonly standbyRegion: string;
  /** The deployment's SSM path (`/<name>/<stack id>`): the fence is `<parameterPath>/failover-fence`. */
  readonly parameterPath: string;
  /** The stack's id (`rke-ha`, `k8s-ha`), for the failback command the message names. */
  readonly stack: string;
  /** Production's records of the hostname, which a failover moves (each may have a count of 0 or 1). */
  readonly records: readonly Route53Record[];
  /**
   * A listing of `parameterPath` in the standby region that the module reads already (StandbyDns's, with failover
   * routing): the fence reads its names, so the path is listed once. It lists that path through `provider`, not
   * recursively.
   * @default the fence lists the path itself (construct id `listing`)
   */
  readonly listing?: DataAwsSsmParametersByPath;
  /**
   * Production's servers honour the fence too (rke-ha: lib/kubernetes/failover-fence.sh): the standby region named
   * for them in production's region, under the path their role reads (`<parameterPath>/failover-fence-region`).
   * @default false
   */
  readonly servers?: boolean;
}

/**
 * Production honours the failover's fence at plan time (issue 91 item 3; docs/development/standby-trust.md, "The fence"): while the
 * SSM parameter a failover writes in the standby region before it moves the hostname's records exists
 * (cli/shared/fence.ts), every record of the hostname carries a precondition that fails, so no plan of production
 * moves them back to it beside the standby; the failback deletes the parameter. The parameters below the deployment's
 * path are listed through the standby region's provider, once: the failover routing's listing where there is one
 * (lib/standby/standby-dns.ts), else the fence's own (`aws_ssm_parameters_by_path`, which answers an empty list
 * where there are none, so the plan reads it whether or not a failover ever ran), names only, nothing decrypted: the
 * identity applying production needs `ssm:GetParametersByPath` there (docs/deployer-policy.json). Read at plan time
 * (its arguments are literals), so an unchanged deployment still plans empty.
 */
export class FailoverFence extends Construct {
  /** The listing of the deployment's path in the standby region (the one given, or the fence's own). */
  readonly listing: DataAwsSsmParametersByPath;
  /** The fence's name. */
  readonly parameter: string;
  /** The precondition each record carries (a Terraform expression and its message). */
  readonly precondition: { readonly condition: string; readonly errorMessage: string };
  /** With `servers`: where the servers' guard finds the fence's region. */
  readonly serversRegion?: SsmParameter;

  constructor(scope: Construct, id: string, props: FailoverFenceProps) {
    super(scope, id);
    this.parameter = `${props.parameterPath}${FAILOVER_FENCE_PARAMETER}`;
    const given = props.listing;
    if (given && (given.provider !== props.provider || given.pathInput !== props.parameterPath || given.recursiveInput === true))
      throw new Error(
        `FailoverFence ${this.node.path}: the listing given (${given.node.path}) must list ${props.parameterPath} through the ` +
          `standby region's provider, not recursively`,
      );
    this.listing =
      props.listing ??
      new DataAwsSsmParametersByPath(this, 'listing', {
        provider: props.provider,
        path: props.parameterPath,
        recursive: false,
        withDecryption: false,
      });
    this.precondition = {
      condition: `\${!contains(${this.listing.fqn}.names, ${JSON.stringify(this.parameter)})}`,
      errorMessage:
        `A failover moved Rancher's hostname to the standby in ${props.standbyRegion} and left its fence there (SSM parameter ` +
        `${this.parameter}): the standby serves production, and this plan of production would change the hostname's records ` +
        `back. Refused while the fence stands: fail back with npm run failback -- ${props.stack}, which removes it (docs/failover.md).`,
    };
    if (props.servers)
      // In production's region (the stack's provider): the servers read their own path there at every run of their guard.
      this.serversRegion = new SsmParameter(this, 'servers-region', {
        name: `${props.parameterPath}${FAILOVER_FENCE_REGION_PARAMETER}`,
        type: 'String',
        value: props.standbyRegion,
        description: `Where ${this.parameter} is, which production's servers honour (docs/failover.md)`,
      });
    for (const record of props.records) {
      const lifecycle = record.lifecycle ?? {};
      record.lifecycle = { ...lifecycle, precondition: [...(lifecycle.precondition ?? []), this.precondition] };
    }
  }
}

/**
 * A deployment with a standby honours the fence on its records of the hostname (construct id `failover-fence`): the
 * standby region's provider, the deployment's parameter path, the stack's id; the failover routing's listing of that
 * path when there is one (`listing`).
 */
export function honourFailoverFence(
  scope: Construct,
  props: Pick<FailoverFenceProps, 'standbyRegion' | 'parameterPath' | 'records' | 'servers' | 'listing'>,
): FailoverFence {
  return new FailoverFence(scope, 'failover-fence', {
    ...props,
    provider: regionProvider(scope, props.standbyRegion),
    stack: TerraformStack.of(scope).node.id,
  });
}
