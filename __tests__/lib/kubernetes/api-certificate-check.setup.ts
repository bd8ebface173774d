// What api-certificate-check.test.ts and api-certificate-check.tools.test.ts share: the check synthesized for two
// sample servers. Synthesizes only when called.
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import { apiCertificateCheck } from '../../../lib/kubernetes/private/api-certificate-check';
import { synthConstruct } from '../../helpers/synth';

/** The check of two servers under /rancher/demo, in a stack of its own. */
export const synthCheck = () =>
  synthConstruct((stack: TerraformStack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    apiCertificateCheck(stack, {
      parameterPath: '/rancher/demo',
      servers: [
        { name: 'server-0', address: '10.0.0.10' },
        { name: 'server-1', address: '10.0.16.10' },
      ],
      checkName: 'api_serving_certificate',
      renewalUnit: 'rancher-aws-cert-renewal',
    });
  });
