// What tls-secrets.test.ts and tls-secrets.tools.test.ts share: the TLS plan of a settings input, and the construct
// synthesized for a plan.
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { TerraformOutput } from 'cdktf';
import { tlsSchema } from '../../../lib/config/tls-schema';
import { RancherNamespace } from '../../../lib/rancher/namespace';
import { RancherTlsSecrets } from '../../../lib/rancher/tls-secrets';
import { CertificateVariables } from '../../../lib/tls/certificate-variables';
import { tlsPlan, type TlsPlan } from '../../../lib/tls/tls-plan';
import { synthConstruct } from '../../helpers/synth';

export const plan = (input: Record<string, unknown>): TlsPlan => tlsPlan(tlsSchema.parse(input));

/** The construct for a plan, with exactly the plan's material declared, after a stand-in API gate. */
export function synth(tlsPlanned: TlsPlan) {
  let secrets!: RancherTlsSecrets;
  const result = synthConstruct((stack) => {
    new KubernetesProvider(stack, 'kubernetes', {});
    new RandomProvider(stack, 'random');
    new TlsProvider(stack, 'tls');
    const gate = new Password(stack, 'gate', { length: 8 });
    const certificates = new CertificateVariables(stack, 'certificates', tlsPlanned.material);
    const namespace = new RancherNamespace(stack, 'rancher-namespace', { dependsOn: [gate] });
    secrets = new RancherTlsSecrets(stack, 'tls-secrets', {
      plan: tlsPlanned,
      certificates,
      namespace: namespace.name,
      expiryCheckName: 'user_certificates',
    });
    // Stands in for the Rancher release, which depends on `resources`.
    new Password(stack, 'release', { length: 8, dependsOn: secrets.resources });
    new TerraformOutput(stack, 'secret_count', { value: secrets.resources.length });
  });
  return { ...result, secrets };
}
