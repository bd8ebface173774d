import { Instance } from '@cdktn/provider-aws/lib/instance';
import { TerraformOutput } from 'cdktf';
import { DATA_DEVICE_NAME, DataVolume, SNAPSHOT_TARGET_TAG, type DataVolumeProps } from '../../../lib/docker/data-volume';
import { dataSources, only, ref, servicePrincipal } from '../../helpers/synth';
import { synthWithAws as synth } from './support';

const props: DataVolumeProps = {
  name: 'demo-docker',
  availabilityZone: 'us-east-1a',
  sizeGb: 50,
  snapshots: { intervalHours: 12, time: '01:30', retention: 14 },
};

describe('DataVolume', () => {
  const { json, text } = synth((stack) => {
    const instance = new Instance(stack, 'host', { ami: 'ami-0123456789abcdef0', instanceType: 'm6i.large' });
    const data = new DataVolume(stack, 'data', props);
    data.attachTo('attachment', instance.id);
    new TerraformOutput(stack, 'id', { value: data.id });
  });
  const [volumeName, volume] = only(json, 'aws_ebs_volume');
  const [, attachment] = only(json, 'aws_volume_attachment');
  const [, policy] = only(json, 'aws_dlm_lifecycle_policy');
  const [roleName, role] = only(json, 'aws_iam_role');

  it('is an encrypted gp3 volume in the given zone, tagged for the snapshot policy, with a final snapshot', () => {
    expect(volume).toMatchObject({
      availability_zone: 'us-east-1a',
      size: 50,
      type: 'gp3',
      encrypted: true,
      final_snapshot: true,
      tags: { Name: 'demo-docker-data', [SNAPSHOT_TARGET_TAG]: 'demo-docker' },
    });
    expect(volume).not.toHaveProperty('snapshot_id');
    expect(json.output?.id.value).toBe(ref('aws_ebs_volume', volumeName, 'id'));
  });

  it('does not refer to any instance and has no prevent_destroy', () => {
    expect(JSON.stringify(volume)).not.toContain('aws_instance');
    expect(text).not.toContain('prevent_destroy');
  });

  it('attaches through a separate resource, stopping the instance before detaching', () => {
    expect(attachment).toMatchObject({
      device_name: DATA_DEVICE_NAME,
      volume_id: ref('aws_ebs_volume', volumeName, 'id'),
      instance_id: ref('aws_instance', 'host', 'id'),
      stop_instance_before_detaching: true,
    });
  });

  it('snapshots on the schedule, keeping the given count, by the volume tag', () => {
    expect(policy).toMatchObject({
      description: 'demo-docker Rancher data volume',
      execution_role_arn: ref('aws_iam_role', roleName, 'arn'),
      state: 'ENABLED',
      policy_details: {
        resource_types: ['VOLUME'],
        target_tags: { [SNAPSHOT_TARGET_TAG]: 'demo-docker' },
        schedule: [
          {
            name: 'every 12h keep 14',
            create_rule: { interval: 12, interval_unit: 'HOURS', times: ['01:30'] },
            retain_rule: { count: 14 },
            copy_tags: true,
          },
        ],
      },
    });
    // DLM allows only letters, digits, spaces, dashes and underscores in these names.
    expect(policy.description).toMatch(/^[0-9A-Za-z _-]+$/);
    expect(policy.policy_details.schedule[0].name).toMatch(/^[0-9A-Za-z _-]+$/);
  });

  it('gives DLM a role of its own with the AWS service policy, attached before the policy exists', () => {
    expect(role.name_prefix).toBe('demo-docker-dlm-');
    const [trustName] = /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(role.assume_role_policy)!.slice(1);
    expect(dataSources(json, 'aws_iam_policy_document')[trustName].statement).toEqual([
      { actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: [servicePrincipal(json, 'dlm')] }] },
    ]);
    const [attachmentName, managed] = only(json, 'aws_iam_role_policy_attachment');
    expect(managed.policy_arn).toMatch(
      /^arn:\$\{data\.aws_partition\.[^}]+\.partition\}:iam::aws:policy\/service-role\/AWSDataLifecycleManagerServiceRole$/,
    );
    expect(policy.depends_on).toEqual([`aws_iam_role_policy_attachment.${attachmentName}`]);
  });

  it('restores from a snapshot, and can skip the final snapshot', () => {
    const restored = synth((stack) => new DataVolume(stack, 'data', { ...props, snapshotId: 'snap-0123456789abcdef0', finalSnapshot: false })).json;
    expect(only(restored, 'aws_ebs_volume')[1]).toMatchObject({ snapshot_id: 'snap-0123456789abcdef0', final_snapshot: false });
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
