import { TerraformOutput, TerraformVariable } from 'cdktf';
import { wildcardHostname } from '../../../lib/dns/private/wildcard-name';
import { synthConstruct } from '../../helpers/synth';

describe('wildcardHostname', () => {
  const { json } = synthConstruct((stack) => {
    const ip = new TerraformVariable(stack, 'ip', { type: 'string' });
    new TerraformOutput(stack, 'sslip', { value: wildcardHostname(ip.stringValue, 'sslip.io') });
    new TerraformOutput(stack, 'nip', { value: wildcardHostname(ip.stringValue, 'nip.io') });
  });

  it('embeds the address in dash form, one label, before the service domain', () => {
    expect(json.output!.sslip.value).toBe('${replace(var.ip, ".", "-")}.sslip.io');
    expect(json.output!.nip.value).toBe('${replace(var.ip, ".", "-")}.nip.io');
  });
});
