import { chartReplicas, DEFAULT_RANCHER_REPLICAS, scaleByHand, standbyKubeconfig } from '../../../cli/shared/standby-rancher';
import { deploymentFields } from '../../../lib/config/deployment-schema';

const MODULE = '/work/failover.out/cdktf.out/stacks/k8s-ha';
const access = (value: unknown) => ({ k8sHa: { access: value } });

describe("the k8s-ha standby's cluster, as its apply reached it", () => {
  it('reads the kubeconfig where Terraform did: ~/ in the home of whoever runs it, a relative path from the module folder, with the context named', () => {
    expect(standbyKubeconfig(access({ kubeconfig: { path: '~/.kube/standby', context: 'dr' } }), MODULE, '/home/ops')).toEqual({
      kubeconfig: '/home/ops/.kube/standby',
      context: 'dr',
    });
    expect(standbyKubeconfig(access({ kubeconfig: { path: '../../../kube/standby.yaml' } }), MODULE, '/home/ops')).toEqual({
      kubeconfig: '/work/failover.out/kube/standby.yaml',
    });
  });

  it('has none when the cluster was reached through Terraform variables, and says how to stop Rancher by hand either way', () => {
    expect(standbyKubeconfig(access({ variables: true }), MODULE)).toBeUndefined();
    expect(scaleByHand(undefined)).toBe('kubectl -n cattle-system scale deployment rancher --replicas=0');
    expect(scaleByHand({ kubeconfig: '/home/ops/.kube/standby', context: 'dr' })).toBe(
      'kubectl --kubeconfig /home/ops/.kube/standby --context dr -n cattle-system scale deployment rancher --replicas=0',
    );
  });
});

describe("the replicas the standby's chart is given (a failover starts a kept standby's Rancher to them)", () => {
  it("are the settings' rancher.replicas, else the schema's default", () => {
    expect(chartReplicas({ rancher: { replicas: 5 } })).toBe(5);
    expect(chartReplicas({ rancher: {} })).toBe(DEFAULT_RANCHER_REPLICAS);
    expect(chartReplicas({})).toBe(DEFAULT_RANCHER_REPLICAS);
    expect(deploymentFields.rancher.parse({}).replicas).toBe(DEFAULT_RANCHER_REPLICAS);
  });
});
