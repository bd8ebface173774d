import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotBucket } from '../../../lib/kubernetes/snapshot-bucket';
import { describeWithTerraform, terraformIn } from '../../helpers/terraform';
import { synth, mirrored } from './snapshot-bucket.setup';

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
