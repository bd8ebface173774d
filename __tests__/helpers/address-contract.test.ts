import { addressesOf, missingAddresses, recordedAddresses } from './address-contract';
import type { TerraformJson } from './synth';

/** The contract check itself: a renamed construct id must show up. */
describe('the Terraform address contract', () => {
  const recorded = recordedAddresses('stack variants')['rke-ha defaults'];

  it('has the default rke-ha stack recorded', () => {
    expect(recorded).toContain('output.kubeconfig');
    expect(recorded.some((a) => a.startsWith('aws_instance.server-0_'))).toBe(true);
  });

  it('names an address that is gone (a renamed id), and accepts one that is new', () => {
    const [type, name] = recorded.find((a) => a.startsWith('aws_instance.server-0_'))!.split('.');
    const json = { resource: { aws_instance: { [`${name}_renamed`]: {} }, aws_new_thing: { added: {} } } } as unknown as TerraformJson;
    const missing = missingAddresses('stack variants', 'rke-ha defaults', json)!;
    expect(missing).toContain(`${type}.${name}`);
    expect(missing).not.toContain('aws_new_thing.added');
    expect(addressesOf(json)).toEqual(['aws_instance.' + `${name}_renamed`, 'aws_new_thing.added']);
  });
});
