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

  // Rancher's docs, "PSA restricted exemptions", v2.14 (ranchermanager.docs.rancher.com/v2.14/reference-guides/
  // rancher-security/psa-restricted-exemptions and its zh copy, whose stored text is whole): the sample
  // PodSecurityConfiguration's namespaces, as the page lists them. Transcribed here apart from the code's list.
  const RANCHER_2_14_PAGE = `calico-apiserver calico-system cattle-alerting cattle-capi-system cattle-csp-adapter-system cattle-elemental-system
    cattle-epinio-system cattle-externalip-system cattle-fleet-local-system cattle-fleet-system cattle-gatekeeper-system cattle-global-data
    cattle-global-nt cattle-impersonation-system cattle-istio cattle-istio-system cattle-logging cattle-logging-system cattle-monitoring-system
    cattle-neuvector-system cattle-prometheus cattle-provisioning-capi-system cattle-resources-system cattle-sriov-system cattle-system
    cattle-turtles-system cattle-ui-plugin-system cattle-windows-gmsa-system cert-manager cis-operator-system compliance-operator-system
    fleet-default fleet-local istio-system kube-node-lease kube-public kube-system longhorn-system rancher-alerting-drivers
    rancher-compliance-system security-scan sr-operator-system tigera-operator traefik`.split(/\s+/);

  it("exempts exactly the namespaces Rancher 2.14's PSA restricted exemptions page lists, sorted", () => {
    expect(RANCHER_2_14_PAGE).toHaveLength(44);
    expect([...CIS_EXEMPT_NAMESPACES]).toEqual([...RANCHER_2_14_PAGE].sort());
  });

  it("holds within it RKE2's own three, Traefik's namespace (kube-system when RKE2 packages it, traefik otherwise) and the rancher-backup operator's", () => {
    for (const namespace of ['kube-system', 'compliance-operator-system', 'tigera-operator', 'traefik', 'cattle-resources-system'])
      expect(CIS_EXEMPT_NAMESPACES).toContain(namespace);
  });

  it("does not exempt what runs restricted: the deployment's gates; the upgrade Jobs' namespace is privileged by its own label", () => {
    for (const namespace of [GATES_NAMESPACE, SYSTEM_UPGRADE_NAMESPACE, 'default']) expect(CIS_EXEMPT_NAMESPACES).not.toContain(namespace);
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
