// What rancher-readiness-trust.test.ts and rancher-readiness-trust.tools.test.ts share: the readiness probe synthesized
// for a trust kind.
import { HttpProvider } from '@cdktf/provider-http/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { TerraformVariable } from 'cdktf';
import { RancherReadiness, type ReadinessTrust } from '../../../lib/rancher/rancher-readiness';
import { synthConstruct } from '../../helpers/synth';

/** A readiness probe after a stand-in release and record; `'variable'` trusts the CA variable, as the stacks do. */
export function synth(trust: ReadinessTrust | 'variable' | undefined) {
  return synthConstruct((stack) => {
    new HttpProvider(stack, 'http');
    new KubernetesProvider(stack, 'kubernetes', {});
    new RandomProvider(stack, 'random');
    const release = new Password(stack, 'release', { length: 8 });
    const record = new Password(stack, 'record', { length: 8 });
    const resolved: ReadinessTrust | undefined =
      trust === 'variable'
        ? { kind: 'ca', caCertPem: new TerraformVariable(stack, 'tls_ca_certificate_pem', { type: 'string', sensitive: true }).stringValue }
        : trust;
    new RancherReadiness(stack, 'ready', { hostname: 'rancher.example.com', dependsOn: [release, record], ...(resolved ? { trust: resolved } : {}) });
  });
}
