// What snapshot-bucket.test.ts and snapshot-bucket.tools.test.ts share: a stack with a local backend and the AWS
// provider, and the bucket's family mirrored onto terraform_data resources.
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { LocalBackend, type TerraformStack } from 'cdktf';
import { synthConstruct } from '../../helpers/synth';

export function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

/**
 * The bucket's family as the synthesized module has it (the bucket and every
 * resource that guards it, with their references and lifecycle), mirrored
 * onto terraform_data resources so a real terraform plans and runs its destroy.
 */
export function mirrored(json: ReturnType<typeof synth>['json']): Record<string, unknown> {
  const family = Object.entries(json.resource).filter(([type]) => type.startsWith('aws_s3_bucket'));
  const data: Record<string, unknown> = {};
  for (const [type, instances] of family) {
    for (const [name, body] of Object.entries(instances as Record<string, any>)) {
      const text = JSON.stringify(body);
      const dependsOn = [...text.matchAll(/\$\{(aws_s3_bucket[a-z_]*)\.([^.}]+)\./g)].map((m) => `terraform_data.${m[1]}__${m[2]}`);
      data[`${type}__${name}`] = {
        input: type,
        ...(dependsOn.length ? { depends_on: [...new Set(dependsOn)] } : {}),
        ...(body.lifecycle?.prevent_destroy ? { lifecycle: { prevent_destroy: true } } : {}),
      };
    }
  }
  return { resource: { terraform_data: data } };
}
