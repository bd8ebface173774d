import { synthLibrary } from '../../helpers/library-modules';
import { expectAddressesExist, records } from '../../helpers/deployment-records';

// The record a library user's module holds, wherever the construct sits; the app's stacks' records are
// __tests__/app/stacks/deployment-record.test.ts's.

describe('the deployment record (what the operations commands read)', () => {
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
