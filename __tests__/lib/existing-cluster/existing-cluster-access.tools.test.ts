import { LocalBackend } from 'cdktf';
import { rancherOnExistingClusterSchema } from '../../../lib/config/deployment-schema';
import { ExistingClusterAccess, type ExistingClusterAccessProps } from '../../../lib/existing-cluster/existing-cluster-access';
import { synthConstruct } from '../../helpers/synth';
import { describeWithTerraform, planVariables } from '../../helpers/terraform';

function synth(props: ExistingClusterAccessProps) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new ExistingClusterAccess(stack, 'access', props);
  });
}

/** Whether RancherOnExistingCluster's props accept this kubeconfig access (the settings file's k8sHa.access is those props). */
const kubeconfigAccepted = (kubeconfig: { path: string; context?: string }) =>
  rancherOnExistingClusterSchema.safeParse({ access: { kubeconfig } }).success;

describeWithTerraform('ExistingClusterAccess kubeconfig validations in a plan', () => {
  const variables = synth({ kubeconfig: { path: '~/.kube/config' } }).json.variable!;
  const plan = (values: Record<string, unknown>) => planVariables(variables, values).accepted;

  it.each([
    ['~/.kube/config', true],
    ['~', true],
    ['kubeconfig.yaml', true],
    ['../clusters/prod.yaml', true],
    ['~bob/.kube/config', false],
    ['', false],
  ])('kubeconfig_path %j → %s, as in the settings', (path, ok) => {
    expect(plan({ kubeconfig_path: path })).toBe(ok);
    expect(kubeconfigAccepted({ path })).toBe(ok);
  });

  it('accepts an absolute path at plan time, which the settings refuse only to keep it out of the synthesized default', () => {
    expect(plan({ kubeconfig_path: '/etc/rancher/kubeconfig.yaml' })).toBe(true);
    expect(kubeconfigAccepted({ path: '/etc/rancher/kubeconfig.yaml' })).toBe(false);
  });

  it.each([
    [null, true],
    ['prod', true],
    ['', false],
  ])('kubeconfig_context %j → %s, as in the settings (unset there is null here)', (context, ok) => {
    expect(plan({ kubeconfig_context: context })).toBe(ok);
    expect(kubeconfigAccepted(context === null ? { path: '~/.kube/config' } : { path: '~/.kube/config', context })).toBe(ok);
  });
});
