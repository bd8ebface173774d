import { DEPLOYMENT_RECORD_FORMAT } from '../../../lib/common/deployment-record-format';
import { expectAddressesExist, records } from '../../helpers/deployment-records';
import { synthSettings } from '../../helpers/variants';

// The deployment record of each of the app's stacks; the record a library user's module holds, wherever the construct
// sits, is __tests__/lib/common/deployment-record.test.ts's.

describe('the deployment record (what the operations commands read)', () => {
  it("the app's rke-ha stack: a literal input with the servers, stores, load balancer and guard records at their addresses", () => {
    const { json } = synthSettings('rke-ha', {});
    const found = records(json);
    expect(Object.keys(found)).toEqual(['terraform_data.deployment-record']);
    const record = found['terraform_data.deployment-record'];
    expect(record).toMatchObject({
      format: DEPLOYMENT_RECORD_FORMAT,
      name: 'rancher',
      kind: 'rke-ha',
      distribution: 'rke2',
      region: 'us-east-1',
      path: 'Default',
    });
    expect(record.servers.map((s) => s.name)).toEqual(['server-0', 'server-1', 'server-2']);
    expect(record.servers[0].address).toMatch(/^aws_instance\.server-0_instance_[0-9A-F]{8}$/);
    expect(record.recordedImage).toMatch(/^terraform_data\.ami_recorded-image_[0-9A-F]{8}$/);
    expect(record.stores).toEqual(
      expect.arrayContaining([expect.stringMatching(/^aws_s3_bucket\.etcd-snapshots_/), expect.stringMatching(/^aws_s3_bucket\.rancher-backups_/)]),
    );
    expect(record.loadBalancers).toEqual([expect.stringMatching(/^aws_lb\.load-balancer_/)]);
    expect(record.guardRecords.name).toMatch(/^terraform_data\.deployment-guard_record-name_[0-9A-F]{8}$/);
    expectAddressesExist(json, record);
    // Nothing in it is a reference: known at plan time, the same on every plan.
    expect(json.resource.terraform_data['deployment-record'].input).not.toContain('${');
    expect(json.resource.terraform_data['deployment-record'].lifecycle).toBeUndefined();
  });

  it('K3s: the distribution and the datastore', () => {
    const record = Object.values(records(synthSettings('rke-ha', { rkeHa: { distribution: 'k3s' } } as never).json))[0];
    expect(record).toMatchObject({ distribution: 'k3s', databases: [expect.stringMatching(/^aws_db_instance\.datastore_/)] });
    expect(record.servers).toHaveLength(2);
  });

  it('docker and k8s-ha: their kind, no servers to roll; docker its data volume', () => {
    const docker = Object.values(records(synthSettings('docker', {}).json))[0];
    expect(docker).toMatchObject({ kind: 'docker', servers: [], dataVolumes: [expect.stringMatching(/^aws_ebs_volume\./)] });
    expect(docker.distribution).toBeUndefined();
    const k8s = Object.values(records(synthSettings('k8s-ha', {}).json))[0];
    expect(k8s).toMatchObject({ kind: 'k8s-ha', servers: [], loadBalancers: [], databases: [] });
  });
});
