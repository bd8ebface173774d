// What acm-certificate.test.ts and acm-certificate.tools.test.ts share: one LoadBalancerCertificate synthesized per
// source, and its hostname postcondition.
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { TerraformOutput, TerraformVariable } from 'cdktf';
import { LoadBalancerCertificate } from '../../../lib/tls/acm-certificate';
import { CertificateVariables, type CertificateMaterial } from '../../../lib/tls/certificate-variables';
import type { AcmSource } from '../../../lib/tls/tls-plan';
import { only, synthConstruct, type TerraformJson } from '../../helpers/synth';

export const MATERIAL: Record<AcmSource, CertificateMaterial[]> = {
  import: ['certificate', 'privateKey'],
  sign: ['caCertificate', 'caPrivateKey'],
  issue: [],
};

/**
 * One LoadBalancerCertificate in an otherwise empty stack, its ARN as an
 * output. `hostname: 'variable'` passes a Terraform variable, as the stacks do.
 */
export function synth(source: AcmSource, hostname: 'variable' | string = 'variable') {
  let arn = '';
  const result = synthConstruct((stack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new TlsProvider(stack, 'tls');
    const name = hostname === 'variable' ? new TerraformVariable(stack, 'rancher_hostname', { type: 'string' }).stringValue : hostname;
    const certificates = new CertificateVariables(stack, 'certificates', MATERIAL[source]);
    const certificate = new LoadBalancerCertificate(stack, 'certificate', {
      source,
      hostname: name,
      zoneId: 'Z0123456789',
      certificates,
      expiryCheckName: 'load_balancer_certificate',
    });
    arn = certificate.arn;
    new TerraformOutput(stack, 'arn', { value: certificate.arn });
  });
  return { ...result, arn };
}

/** The postcondition shared by imported and signed certificates. */
export function hostnameCheck(json: TerraformJson) {
  const [, certificate] = only(json, 'aws_acm_certificate');
  const postconditions = certificate.lifecycle.postcondition;
  expect(postconditions).toHaveLength(1);
  return postconditions[0] as { condition: string; error_message: string };
}
