import { DEPLOYMENT_RECORD_FORMAT, type DeploymentRecord } from '../../../lib/common/deployment-record-format';
import { synthLibrary } from '../../helpers/library-modules';
import type { TerraformJson } from '../../helpers/synth';
import { synthSettings } from '../../helpers/variants';

/** The deployment records of a synthesized module, by address (the input as Terraform reads it: `$${` is `${`). */
function records(json: TerraformJson): Record<string, DeploymentRecord> {
  return Object.fromEntries(
    Object.entries(json.resource.terraform_data ?? {})
      .filter(([name]) => /(^|_)deployment-record(_[0-9A-F]{8})?$/.test(name))
      .map(([name, body]) => [`terraform_data.${name}`, JSON.parse(String(body.input).replaceAll('$${', '${').replaceAll('%%{', '%{'))]),
  );
}

/** Every address the record names is a resource of the module. */
function expectAddressesExist(json: TerraformJson, record: DeploymentRecord) {
  const all = [
    ...record.servers.map((s) => s.address),
    ...(record.recordedImage ? [record.recordedImage] : []),
    ...record.stores,
    ...record.loadBalancers,
    ...record.databases,
    ...record.dataVolumes,
    ...Object.values(record.guardRecords),
  ];
  for (const address of all) {
    const [type, name] = address.split('.');
    expect(json.resource[type]?.[name]).toBeDefined();
  }
  return all;
}

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

  it.each([
    ['id rancher', 'platform', 'rancher', 'rancher_'],
    ['nested', 'platform', 'platform/rancher', 'platform_rancher_'],
  ] as const)("a library user's module (%s): every address under the construct's own path", (module, stack, path, prefix) => {
    const json = synthLibrary(module)[stack];
    const found = records(json);
    expect(Object.keys(found)).toEqual([expect.stringMatching(new RegExp(`^terraform_data\\.${prefix}deployment-record_[0-9A-F]{8}$`))]);
    const record = Object.values(found)[0];
    expect(record).toMatchObject({ name: 'acme', kind: 'rke-ha', path, region: 'eu-west-1' });
    const all = expectAddressesExist(json, record);
    expect(all.length).toBeGreaterThan(10);
    for (const address of all) expect(address.split('.')[1].startsWith(prefix)).toBe(true);
    // The user's own bucket is not one of the deployment's stores.
    expect(record.stores).not.toContain('aws_s3_bucket.audit-exports');
  });

  it('two stacks of one app: a record in each, naming its own deployment; two deployments in one stack: two records', () => {
    const two = synthLibrary('two stacks');
    expect(Object.values(records(two.eu)).map((r) => r.name)).toEqual(['eu']);
    expect(Object.values(records(two['backup-site'])).map((r) => [r.name, r.path])).toEqual([['site', 'site']]);
    const one = synthLibrary('two in one stack').platform;
    expect(
      Object.values(records(one))
        .map((r) => [r.name, r.kind, r.servers.length])
        .sort(),
    ).toEqual([
      ['acme', 'rke-ha', 3],
      ['demo', 'docker', 0],
    ]);
    for (const record of Object.values(records(one))) expectAddressesExist(one, record);
  });
});
