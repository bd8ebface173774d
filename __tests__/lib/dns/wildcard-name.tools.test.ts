import { TerraformOutput, TerraformVariable } from 'cdktf';
import { FQDN } from '../../../lib/config/primitives';
import { wildcardHostname } from '../../../lib/dns/private/wildcard-name';
import { synthConstruct } from '../../helpers/synth';
import { describeWithTerraform, evaluate } from '../../helpers/terraform';

describeWithTerraform('wildcardHostname, evaluated by terraform', () => {
  it('is a DNS name the settings would accept as a hostname, naming the address sslip.io answers with', () => {
    const { json } = synthConstruct((stack) => {
      const ip = new TerraformVariable(stack, 'ip', { type: 'string' });
      new TerraformOutput(stack, 'name', { value: wildcardHostname(ip.stringValue, 'sslip.io') });
    });
    // The synthesized template as it stands, the variable set to an address.
    const name = evaluate(`"${json.output!.name.value}"`, { ip: '52.0.56.137' });
    expect(name).toBe('52-0-56-137.sslip.io');
    expect(FQDN.test(name as string)).toBe(true);
  });
});
