import { AnnotationMetadataEntryType, DefaultTokenResolver, StringConcat, TerraformStack, Tokenization } from 'cdktf';
import { dnsSchema } from '../../../lib/config/dns-schema';
import { rancherName } from '../../../lib/deployments/private/rancher-name';
import { wildcardHostname } from '../../../lib/dns/private/wildcard-name';
import { unsynthesizedApp } from '../../helpers/synth';

/** The dns prop as the constructs resolve it (defaults applied). */
const props = (dns?: Record<string, unknown>) => ({ dns: dnsSchema.parse(dns) });

describe('rancherName', () => {
  const scope = () => new TerraformStack(unsynthesizedApp(), 'test');
  const resolve = (stack: TerraformStack, value: string) =>
    Tokenization.resolve(value, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()) });
  const warnings = (stack: TerraformStack) =>
    stack.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));

  it('takes the hostname given with a Route53 zone, and never asks for the address', () => {
    const stack = scope();
    const name = rancherName(stack, props(), {
      hostname: 'rancher.example.com',
      address: () => {
        throw new Error('asked for the address');
      },
      issuer: 'acme',
      issuerSetting: 'rancher.tls.issuer',
    });
    expect(name).toBe('rancher.example.com');
    expect(warnings(stack)).toEqual([]);
  });

  it("names Rancher after the address through the wildcard service, and warns once for Let's Encrypt there", () => {
    const wildcard = props({ mode: 'wildcard', wildcardDomain: 'nip.io' });
    const stack = scope();
    const name = rancherName(stack, wildcard, { address: () => '203.0.113.7', issuer: 'acme', issuerSetting: 'docker.tls.issuer' });
    // A Terraform expression of the address: compared resolved.
    expect(resolve(stack, name)).toBe(resolve(stack, wildcardHostname('203.0.113.7', 'nip.io')));
    expect(resolve(stack, name)).toContain('203.0.113.7');
    expect(warnings(stack)).toEqual([expect.stringMatching(/^docker\.tls\.issuer acme with dns\.mode wildcard: /)]);
    const quiet = scope();
    rancherName(quiet, wildcard, { address: () => '203.0.113.7', issuer: 'rancher', issuerSetting: 'docker.tls.issuer' });
    expect(warnings(quiet)).toEqual([]);
  });

  it('refuses a Route53 name without a hostname', () => {
    expect(() => rancherName(scope(), props(), { address: () => '203.0.113.7', issuer: 'rancher', issuerSetting: 'rancher.tls.issuer' })).toThrow();
  });
});
