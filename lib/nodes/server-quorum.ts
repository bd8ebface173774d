import { DataAwsInstances } from '@cdktn/provider-aws/lib/data-aws-instances';
import { Construct } from 'constructs';
import type { GuardCondition } from '../common/deployment-guard';
import { DEPLOYMENT_TAG } from '../common/private/tags';

/** The deployment whose servers are counted, and how many the settings ask for. */
export interface ServerQuorumProps {
  /** The deployment (`<name>-<stack>`): its servers are tagged with it and named `<deployment>-server-<n>`. */
  readonly deployment: string;
  /** Servers the settings ask for. */
  readonly servers: number;
}

/**
 * The servers of this deployment that exist now (any state but terminated),
 * read at plan time, and the rule that an apply may not remove more of them
 * than etcd can lose: with fewer servers in the settings than running, a plan
 * would destroy etcd members all at once. `condition` refuses that plan before
 * anything changes. It cannot see `-replace A -replace B` in one apply:
 * Terraform gives conditions no view of the plan's replace targets, so the
 * messages people read while rolling say so instead.
 */
export class ServerQuorum extends Construct {
  /** The deployment's servers that exist now, read at plan time. */
  readonly existing: DataAwsInstances;
  /** The rule, for a precondition: the apply removes at most as many servers as etcd can lose. */
  readonly condition: GuardCondition;

  constructor(scope: Construct, id: string, props: ServerQuorumProps) {
    super(scope, id);
    this.existing = new DataAwsInstances(this, 'servers', {
      instanceStateNames: ['pending', 'running', 'stopping', 'stopped'],
      filter: [
        { name: 'tag:Name', values: [`${props.deployment}-server-*`] },
        { name: `tag:${DEPLOYMENT_TAG}`, values: [props.deployment] },
      ],
    });
    const count = `length(${this.existing.fqn}.ids)`;
    this.condition = {
      condition: `\${${count} <= ${props.servers}}`,
      errorMessage:
        `nodeCount is ${props.servers}, but \${${count}} servers of this deployment exist: this apply would destroy ` +
        `\${${count} - ${props.servers}} etcd members at once and the cluster would lose quorum. Take the extra servers out of etcd ` +
        'one at a time first (kubectl delete node <name>, waiting for each), then apply once with allowQuorumLoss: true ' +
        '(docs/day-2.md, "Day 2"). This rule counts servers only: it cannot see two servers named by -replace in one apply (nothing in a plan exposes -replace), so never do that.',
    };
  }
}
