import { Lazy, TerraformResource, TerraformStack } from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import { DeploymentGuard } from './deployment-guard';
import {
  DEPLOYMENT_RECORD_FORMAT,
  DEPLOYMENT_RECORD_ID,
  STORE_IDS,
  type DeploymentKind,
  type DeploymentRecord as RecordFormat,
} from './deployment-record-format';
import { TerraformData } from './terraform-data';
import { literal } from './terraform-template';

export interface DeploymentRecordProps {
  readonly name: string;
  readonly kind: DeploymentKind;
  readonly distribution?: 'rke2' | 'k3s';
  readonly region: string;
  /** The servers the roll replaces one at a time, in order (rke-ha). @default none */
  readonly servers?: readonly { readonly name: string; readonly instance: TerraformResource }[];
}

/**
 * Adds what the operations commands need to know of a deployment (lib/common/deployment-record-format.ts): a
 * `terraform_data` directly under the deployment (`deployment-record` in the app's stacks, `<path>_deployment-record_<hash>`
 * under any other id) whose input is that record in JSON: its name and kind, and the Terraform addresses of its
 * servers, stores, load balancers and guard records, under whatever construct id and nesting the deployment has.
 * The commands read it from the state (`terraform state pull`, which they read anyway), so a library user's
 * `new RancherOnRke(this, 'rancher', ...)` is rolled and torn down as the app's stacks are (design notes,
 * "The deployment record"). The input is built once the construct tree is complete, and is a literal known at plan
 * time: an unchanged deployment plans no change, and other addresses (another server count) update it in place in the
 * apply that makes them.
 */
export function addDeploymentRecord(deployment: Construct, props: DeploymentRecordProps): TerraformData {
  return new TerraformData(deployment, DEPLOYMENT_RECORD_ID, {
    input: Lazy.stringValue({ produce: () => literal(JSON.stringify(recordOf(deployment, props))) }),
  });
}

/** The record of a deployment, computed from its construct tree at synth time. */
export function recordOf(deployment: Construct, props: DeploymentRecordProps): RecordFormat {
  const resources = deployment.node.findAll().filter(TerraformResource.isTerraformResource);
  const of = (type: string, where: (r: TerraformResource) => boolean = () => true) =>
    resources.filter((r) => r.terraformResourceType === type && where(r)).map(addressOf);
  // A store: a bucket or log group under one of the store constructs directly below the deployment.
  const underStore = (r: IConstruct) => (STORE_IDS as readonly string[]).includes(r.node.scopes[deployment.node.scopes.length]?.node.id);
  const guardRecords: Record<string, string> = {};
  for (const guard of deployment.node.findAll().filter((c): c is DeploymentGuard => c instanceof DeploymentGuard)) {
    for (const [setting, record] of guard.records) guardRecords[setting] = addressOf(record);
  }
  const stack = TerraformStack.of(deployment);
  const image = resources.find((r) => r.terraformResourceType === TerraformData.tfResourceType && r.node.id === 'recorded-image');
  return {
    format: DEPLOYMENT_RECORD_FORMAT,
    name: props.name,
    kind: props.kind,
    ...(props.distribution ? { distribution: props.distribution } : {}),
    region: props.region,
    path: deployment.node.scopes
      .slice(deployment.node.scopes.indexOf(stack) + 1)
      .map((c) => c.node.id)
      .join('/'),
    servers: (props.servers ?? []).map((s) => ({ name: s.name, address: addressOf(s.instance) })),
    ...(image ? { recordedImage: addressOf(image) } : {}),
    stores: [...of('aws_s3_bucket', underStore), ...of('aws_cloudwatch_log_group', underStore)],
    loadBalancers: of('aws_lb'),
    databases: of('aws_db_instance'),
    dataVolumes: of('aws_ebs_volume'),
    guardRecords,
  };
}

/** A resource's Terraform address (`type.logical_id`), as the state names it. */
const addressOf = (r: TerraformResource) => `${r.terraformResourceType}.${r.friendlyUniqueId}`;
