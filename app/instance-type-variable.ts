import { TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';

/** The EC2 instance type form the settings accept (primitives.ts `instanceType`), as a Terraform regex. */
const INSTANCE_TYPE_REGEX = '^[a-z][a-z0-9-]*\\\\.[a-z0-9]+$';

/**
 * `instance_type`: the servers' (rke-ha) or the host's (docker) EC2 type, a
 * pipeline knob. Its default is the settings value, so an existing
 * deployment's plan does not change. rke-ha servers keep their type until
 * each is replaced (servers_pending_replacement lists `instance_type`, as for
 * a settings change); new servers get the new one at once. The Docker host is
 * resized in place by the AWS provider (stopped and started).
 */
export function instanceTypeVariable(scope: Construct, settingsValue: string, what: string): string {
  return new TerraformVariable(scope, 'instance_type', {
    type: 'string',
    description: `EC2 instance type of ${what}, e.g. m6i.xlarge.`,
    default: settingsValue,
    nullable: false,
    validation: [
      {
        condition: `\${can(regex("${INSTANCE_TYPE_REGEX}", var.instance_type))}`,
        errorMessage: 'instance_type must be an EC2 instance type such as m6i.xlarge (family, a dot, size; lower case).',
      },
    ],
  }).stringValue;
}
