import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { LocalBackend, TerraformOutput } from 'cdktf';
import { RANCHER_KUBERNETES_RANGE } from '../../../lib/config/versions';
import { CERT_MANAGER_CRD, ClusterPreflight, type ClusterPreflightProps } from '../../../lib/existing-cluster/cluster-preflight';
import { dataSources, synthConstruct } from '../../helpers/synth';

function synth(props: ClusterPreflightProps) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new KubernetesProvider(stack, 'kubernetes', {});
    const preflight = new ClusterPreflight(stack, 'preflight', props);
    new TerraformOutput(stack, 'gates', { value: preflight.gates.length });
  });
}

describe('ClusterPreflight', () => {
  const { json } = synth({ rancherVersion: '2.14.4', ingressClassName: 'nginx' });
  const [, version] = Object.entries(dataSources(json, 'kubernetes_server_version'))[0];
  const resourcesLookups = dataSources(json, 'kubernetes_resources');

  it("fails the plan when the cluster's Kubernetes is outside the Rancher line's chart range, naming both", () => {
    const [check] = version.lifecycle.postcondition;
    const range = RANCHER_KUBERNETES_RANGE['2.14'];
    const minor = 'try(tonumber(regex("^[0-9]+", self.minor)), -1)';
    expect(check.condition).toBe(`\${self.major == "1" && ${minor} >= ${range.min} && ${minor} < ${range.maxExclusive}}`);
    expect(check.error_message).toContain('${self.git_version}');
    expect(check.error_message).toContain('Rancher 2.14 supports 1.33-1.35');
    expect(check.error_message).toContain('versions.rancher');
  });

  it.each(Object.entries(RANCHER_KUBERNETES_RANGE))('uses the range of Rancher %s', (line, range) => {
    const other = synth({ rancherVersion: `${line}.1`, ingressClassName: 'nginx' }).json;
    const [, v] = Object.entries(dataSources(other, 'kubernetes_server_version'))[0];
    expect(v.lifecycle.postcondition[0].condition).toContain(`>= ${range.min} &&`);
    expect(v.lifecycle.postcondition[0].condition).toContain(`< ${range.maxExclusive}}`);
  });

  it('fails the plan when the IngressClass does not exist', () => {
    const [, ingressClass] = Object.entries(resourcesLookups).find(([name]) => name.includes('ingress-class'))!;
    expect(ingressClass).toMatchObject({ api_version: 'networking.k8s.io/v1', kind: 'IngressClass', field_selector: 'metadata.name=nginx' });
    expect(ingressClass.lifecycle.postcondition[0].condition).toBe('${length(try(self.objects, [])) > 0}');
    expect(ingressClass.lifecycle.postcondition[0].error_message).toContain('IngressClass "nginx"');
    expect(ingressClass.lifecycle.postcondition[0].error_message).toContain('or set ingress.className');
  });

  it('checks for cert-manager only when asked to (it is not installed by the stack)', () => {
    expect(Object.keys(resourcesLookups)).toHaveLength(1);
    expect(json.output!.gates.value).toBe(2);
    const withCheck = synth({ rancherVersion: '2.14.4', ingressClassName: 'nginx', requireCertManager: true }).json;
    const lookups = Object.entries(dataSources(withCheck, 'kubernetes_resources'));
    const [, crd] = lookups.find(([name]) => name.includes('cert-manager'))!;
    expect(crd).toMatchObject({
      api_version: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      field_selector: `metadata.name=${CERT_MANAGER_CRD}`,
    });
    expect(crd.lifecycle.postcondition[0].error_message).toContain('but certManager.install is false');
    expect(withCheck.output!.gates.value).toBe(3);
  });

  it('refuses a Rancher line with no known Kubernetes range', () => {
    expect(() => synth({ rancherVersion: '2.99.0', ingressClassName: 'nginx' })).toThrow(/2\.99\.0/);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
