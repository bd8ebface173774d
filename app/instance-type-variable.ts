import { hclString } from '../lib/common/terraform-template';
import { TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { acceptedInstanceTypes, requiredArchitecture, type Architecture, type InstanceMinimum } from '../lib/config/instance-types';

/** The EC2 instance type form the settings accept (primitives.ts `INSTANCE_TYPE_FORMAT`), as a Terraform regex. */
const INSTANCE_TYPE_REGEX = '^[a-z][a-z0-9-]*\\\\.[a-z0-9-]+$';

/** What the settings section says about its instance type, besides the type itself. */
export interface InstanceTypeSection {
  readonly instanceType: string;
  readonly allowSmallInstanceType: boolean;
  readonly amiId?: string | undefined;
  readonly architecture?: Architecture | undefined;
}

/**
 * `instance_type`: the servers' (rke-ha) or the host's (docker) EC2 type, a
 * pipeline knob. Its default is the settings value, so an existing
 * deployment's plan does not change. rke-ha servers keep their type until
 * each is replaced (servers_pending_replacement lists `instance_type`, as for
 * a settings change); new servers get the new one at once. The Docker host is
 * resized in place by the AWS provider (stopped and started). A value given at
 * plan time is held to the rules the settings file's value was: a type of the
 * project's table (lib/config/instance-types.ts), of the image's
 * architecture (the section's `architecture`, x86_64 by default; with a pinned
 * image and none, the settings' instance type's), and at least the mode's documented
 * minimum unless the section allows smaller.
 */
export function instanceTypeVariable(scope: Construct, section: InstanceTypeSection, minimum: InstanceMinimum, what: string): string {
  const architecture = requiredArchitecture(section);
  const accepted = acceptedInstanceTypes({ minimum, allowSmall: section.allowSmallInstanceType, architecture });
  const rules = [
    section.architecture !== undefined
      ? `${section.architecture} (the section's architecture)`
      : architecture === undefined
        ? undefined
        : section.amiId !== undefined
          ? `${architecture} (the settings' instance type's, which the pinned image and the release installed follow)`
          : 'x86_64 (the default Ubuntu image is amd64)',
    section.allowSmallInstanceType ? undefined : `at least ${minimum.vcpus} vCPU and ${minimum.memoryGib} GiB`,
  ].filter((rule) => rule !== undefined);
  return new TerraformVariable(scope, 'instance_type', {
    type: 'string',
    description: `EC2 instance type of ${what}, e.g. m6i.xlarge.`,
    default: section.instanceType,
    nullable: false,
    validation: [
      {
        condition: `\${can(regex("${INSTANCE_TYPE_REGEX}", var.instance_type))}`,
        errorMessage: 'instance_type must be an EC2 instance type such as m6i.xlarge (family, a dot, size; lower case).',
      },
      {
        // A malformed value is the first rule's to report.
        condition: `\${!can(regex("${INSTANCE_TYPE_REGEX}", var.instance_type)) || contains([${accepted.map(hclString).join(', ')}], var.instance_type)}`,
        errorMessage: `instance_type must be a type the settings would take: one of the families of the project's table (lib/config/instance-types.ts)${rules.length ? `, ${rules.join(', ')}` : ''}.`,
      },
    ],
  }).stringValue;
}
