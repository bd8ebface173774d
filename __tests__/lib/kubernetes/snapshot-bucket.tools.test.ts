import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, type TerraformStack } from 'cdktf';
import { SnapshotBucket } from '../../../lib/kubernetes/snapshot-bucket';
import { synthConstruct } from '../../helpers/synth';
import { describeWithTerraform, terraformIn } from '../../helpers/terraform';

function synth(add: (stack: TerraformStack) => void) {
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
function mirrored(json: ReturnType<typeof synth>['json']): Record<string, unknown> {
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

describeWithTerraform('SnapshotBucket destroy, run by a real terraform on its mirrored graph', () => {
  const tf = (dir: string, ...args: string[]) => terraformIn(dir, ...args, '-input=false');
  const deploy = (forceDestroy: boolean) => {
    const dir = mkdtempSync(join(tmpdir(), 'bucket-destroy-'));
    const { json } = synth((stack) => new SnapshotBucket(stack, 'snapshots', { namePrefix: 'demo-', forceDestroy }));
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(mirrored(json)));
    expect(tf(dir, 'init').status).toBe(0);
    expect(tf(dir, 'apply', '-auto-approve').status).toBe(0);
    return dir;
  };
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('by default refuses the whole destroy plan before touching any guard', () => {
    const dir = deploy(false);
    dirs.push(dir);
    const destroy = tf(dir, 'destroy', '-auto-approve');
    expect(destroy.status).toBe(1);
    expect(destroy.output).toContain('Instance cannot be destroyed');
    expect(destroy.output).not.toContain('Destroying...');
    const state = terraformIn(dir, 'state', 'list').stdout;
    expect(state.trim().split('\n')).toHaveLength(7);
  });

  it('with forceDestroy deletes the guards first, then the bucket (with its contents, force_destroy)', () => {
    const dir = deploy(true);
    dirs.push(dir);
    const destroy = tf(dir, 'destroy', '-auto-approve');
    expect(destroy.status).toBe(0);
    const order = [...destroy.output.matchAll(/terraform_data\.([a-z_0-9]+)__\S+: Destruction complete/g)].map((m) => m[1]);
    expect(order).toHaveLength(7);
    expect(order.at(-1)).toBe('aws_s3_bucket');
  });
});
