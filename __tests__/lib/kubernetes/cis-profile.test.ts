import { parse } from 'yaml';
import {
  CIS_EXEMPT_NAMESPACES,
  CIS_KERNEL_PARAMETERS,
  cisConfig,
  cisFiles,
  podSecurityAdmissionConfig,
} from '../../../lib/kubernetes/private/cis-profile';
import { GATES_NAMESPACE, SYSTEM_UPGRADE_NAMESPACE } from '../../../lib/kubernetes/object-names';

describe('the CIS profile', () => {
  const config = podSecurityAdmissionConfig() as any;
  const podSecurity = config.plugins[0].configuration;

  it("enforces, audits and warns restricted (latest) wherever no namespace label says otherwise, like RKE2's own", () => {
    expect(config).toMatchObject({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AdmissionConfiguration' });
    expect(config.plugins).toHaveLength(1);
    expect(config.plugins[0].name).toBe('PodSecurity');
    expect(podSecurity.apiVersion).toBe('pod-security.admission.config.k8s.io/v1');
    expect(podSecurity.defaults).toEqual({
      enforce: 'restricted',
      'enforce-version': 'latest',
      audit: 'restricted',
      'audit-version': 'latest',
      warn: 'restricted',
      'warn-version': 'latest',
    });
    expect(podSecurity.exemptions).toEqual({ usernames: [], runtimeClasses: [], namespaces: [...CIS_EXEMPT_NAMESPACES] });
  });

  it("exempts RKE2's own namespaces, Rancher's and Fleet's, and the rancher-backup operator's", () => {
    expect(CIS_EXEMPT_NAMESPACES).toEqual(
      expect.arrayContaining([
        // RKE2 v1.35.7+rke2r1 pkg/rke2/psa.go
        'kube-system',
        'compliance-operator-system',
        'tigera-operator',
        // Rancher's rancher-restricted template
        'cattle-system',
        'cattle-fleet-system',
        'cattle-fleet-local-system',
        'cattle-turtles-system',
        'cattle-provisioning-capi-system',
        // rancher-backup 109.0.7+up10.0.8
        'cattle-resources-system',
      ]),
    );
    expect([...CIS_EXEMPT_NAMESPACES]).toEqual([...new Set(CIS_EXEMPT_NAMESPACES)].sort());
  });

  it("does not exempt what runs restricted: cert-manager, the deployment's gates; the upgrade Jobs' namespace is privileged by its own label", () => {
    for (const namespace of ['cert-manager', GATES_NAMESPACE, SYSTEM_UPGRADE_NAMESPACE, 'default'])
      expect(CIS_EXEMPT_NAMESPACES).not.toContain(namespace);
  });

  it('names the profile as RKE2 v1.35 accepts it, and the admission configuration it reads instead of its own', () => {
    expect(cisConfig()).toEqual({ profile: 'cis', 'pod-security-admission-config-file': '/etc/rancher/rke2/rancher-aws-pss.yaml' });
    const [pss] = cisFiles().filter((f) => f.path === cisConfig()['pod-security-admission-config-file']);
    expect(parse(pss.content)).toEqual(config);
  });

  it("sets the kernel parameters RKE2 checks under the profile, at the values of RKE2's rke2-cis-sysctl.conf", () => {
    expect(Object.fromEntries(CIS_KERNEL_PARAMETERS)).toEqual({
      'vm.panic_on_oom': 0,
      'vm.overcommit_memory': 1,
      'kernel.panic': 10,
      'kernel.panic_on_oops': 1,
    });
  });
});
