// What ingress-load-balancer.test.ts and ingress-load-balancer.tools.test.ts share: the construct synthesized with its
// address as an output, and the ingress controller's Service.
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { LocalBackend, TerraformOutput } from 'cdktf';
import { IngressLoadBalancer, type IngressLoadBalancerProps } from '../../../lib/existing-cluster/ingress-load-balancer';
import { synthConstruct } from '../../helpers/synth';

export function synth(props: IngressLoadBalancerProps) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new KubernetesProvider(stack, 'kubernetes', {});
    const ingress = new IngressLoadBalancer(stack, 'ingress', props);
    new TerraformOutput(stack, 'address', { value: ingress.address });
  });
}

export const service = { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' };
