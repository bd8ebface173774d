// What api-certificate-check.test.ts and api-certificate-check.tools.test.ts share: the check synthesized for a sample
// API endpoint. Synthesizes only when called.
import type { TerraformStack } from 'cdktf';
import { apiCertificateCheck } from '../../../lib/kubernetes/private/api-certificate-check';
import { synthConstruct } from '../../helpers/synth';

/** The check on api.example.internal:6443, in a stack of its own. */
export const synthCheck = () =>
  synthConstruct((stack: TerraformStack) => {
    apiCertificateCheck(stack, {
      host: 'api.example.internal',
      port: 6443,
      checkName: 'api_serving_certificate',
      renewalUnit: 'rancher-aws-cert-renewal',
    });
  });
