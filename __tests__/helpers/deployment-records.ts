import type { DeploymentRecord } from '../../lib/common/deployment-record-format';
import type { TerraformJson } from './synth';

/** The deployment records of a synthesized module, by address (the input as Terraform reads it: `$${` is `${`). */
export function records(json: TerraformJson): Record<string, DeploymentRecord> {
  return Object.fromEntries(
    Object.entries(json.resource.terraform_data ?? {})
      .filter(([name]) => /(^|_)deployment-record(_[0-9A-F]{8})?$/.test(name))
      .map(([name, body]) => [`terraform_data.${name}`, JSON.parse(String(body.input).replaceAll('$${', '${').replaceAll('%%{', '%{'))]),
  );
}

/** Every address the record names is a resource of the module. */
export function expectAddressesExist(json: TerraformJson, record: DeploymentRecord) {
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
