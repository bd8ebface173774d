import { stringify } from 'yaml';
import { rootFile, serverScriptFile, type WriteFile } from '../../nodes/private/boot-files';
import CIS_HOST from '../cis-host.sh';
import { BOOTSTRAP_UNIT } from './server-units';

/**
 * RKE2's CIS profile (`rkeHa.profile: cis`), as RKE2 v1.35.7+rke2r1 defines it
 * (docs/design-notes.md, "The CIS profile"): the `profile` value RKE2 accepts,
 * what the host must provide before RKE2 starts (the etcd account, the kernel
 * parameters), and the Pod Security admission configuration written in place of
 * RKE2's own, with the namespaces Rancher and this deployment's charts need exempted.
 */

/** The `profile` value of config.yaml: RKE2 accepts `cis` (and `etcd`) and refuses to start with any other. */
export const RKE2_CIS_PROFILE = 'cis';

/** Where cloud-init writes the kernel parameters: systemd-sysctl applies them at every boot. */
export const CIS_SYSCTL_PATH = '/etc/sysctl.d/60-rke2-cis.conf';

/**
 * The kernel parameters RKE2 checks under the profile (pkg/cli/cmds/profile_linux.go) and the kubelet's
 * protect-kernel-defaults requires: the values of the rke2-cis-sysctl.conf RKE2 ships.
 */
export const CIS_KERNEL_PARAMETERS: readonly (readonly [string, number])[] = [
  ['vm.panic_on_oom', 0],
  ['vm.overcommit_memory', 1],
  ['kernel.panic', 10],
  ['kernel.panic_on_oops', 1],
];

/** Creates the etcd account and applies the kernel parameters before the bootstrap runs (cis-host.sh). */
export const CIS_HOST_PATH = '/usr/local/sbin/rancher-aws-cis-host';
/** A drop-in of the bootstrap unit: its ExecStartPre runs CIS_HOST_PATH before every run of the bootstrap. */
export const CIS_BOOTSTRAP_DROP_IN = `/etc/systemd/system/${BOOTSTRAP_UNIT}.service.d/cis-profile.conf`;

/** The admission configuration the API servers read (`pod-security-admission-config-file`), instead of RKE2's rke2-pss.yaml. */
export const CIS_PSA_CONFIG_PATH = '/etc/rancher/rke2/rancher-aws-pss.yaml';

/**
 * The namespaces Rancher 2.14 documents as exempt for a cluster that enforces `restricted` (Rancher's docs, "PSA
 * restricted exemptions", v2.14: the sample PodSecurityConfiguration), in the page's order: Rancher itself and its
 * webhook (cattle-system), the CAPI controller Rancher runs on the local cluster (cattle-capi-system,
 * cattle-turtles-system), Fleet's (fleet-local, fleet-default, cattle-fleet-*), the impersonation service accounts
 * (cattle-impersonation-system), the global data namespaces, cert-manager, the compliance operator, the namespaces of
 * the apps Rancher offers, Traefik's own namespace (the default ingress controller from RKE2 1.36; RKE2's packaged
 * Traefik runs in kube-system, exempt too) and RKE2's three (pkg/rke2/psa.go: kube-system,
 * compliance-operator-system, tigera-operator). It also holds cattle-resources-system, where the rancher-backup
 * operator (chart 109.0.7+up10.0.8, no seccomp profile, no dropped capabilities) runs. Held equal to the page by
 * cis-profile.test.ts; docs/design-notes.md, "The CIS profile", sets it beside the page.
 */
export const RANCHER_DOCUMENTED_EXEMPT: readonly string[] = [
  'calico-apiserver',
  'calico-system',
  'cattle-alerting',
  'cattle-capi-system',
  'cattle-csp-adapter-system',
  'cattle-elemental-system',
  'cattle-epinio-system',
  'cattle-externalip-system',
  'cattle-fleet-local-system',
  'cattle-fleet-system',
  'cattle-gatekeeper-system',
  'cattle-global-data',
  'cattle-global-nt',
  'cattle-impersonation-system',
  'cattle-istio',
  'cattle-istio-system',
  'cattle-logging',
  'cattle-logging-system',
  'cattle-monitoring-system',
  'cattle-neuvector-system',
  'cattle-prometheus',
  'cattle-provisioning-capi-system',
  'cattle-resources-system',
  'cattle-sriov-system',
  'cattle-system',
  'cattle-turtles-system',
  'cattle-ui-plugin-system',
  'cattle-windows-gmsa-system',
  'cert-manager',
  'cis-operator-system',
  'compliance-operator-system',
  'fleet-default',
  'fleet-local',
  'istio-system',
  'kube-node-lease',
  'kube-public',
  'kube-system',
  'longhorn-system',
  'rancher-alerting-drivers',
  'rancher-compliance-system',
  'security-scan',
  'sr-operator-system',
  'tigera-operator',
  'traefik',
];

/** Every namespace exempt from the restricted policy, sorted: Rancher's documented list, nothing more. */
export const CIS_EXEMPT_NAMESPACES: readonly string[] = [...RANCHER_DOCUMENTED_EXEMPT].sort();

/**
 * RKE2's restricted admission configuration with the exemptions above: `restricted` enforced, audited and warned
 * in every namespace without a Pod Security label of its own.
 */
export function podSecurityAdmissionConfig(): Record<string, unknown> {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AdmissionConfiguration',
    plugins: [
      {
        name: 'PodSecurity',
        configuration: {
          apiVersion: 'pod-security.admission.config.k8s.io/v1',
          kind: 'PodSecurityConfiguration',
          defaults: {
            enforce: 'restricted',
            'enforce-version': 'latest',
            audit: 'restricted',
            'audit-version': 'latest',
            warn: 'restricted',
            'warn-version': 'latest',
          },
          exemptions: { usernames: [], runtimeClasses: [], namespaces: [...CIS_EXEMPT_NAMESPACES] },
        },
      },
    ],
  };
}

/** The config.yaml entries of the profile. */
export function cisConfig(): Record<string, string> {
  return { profile: RKE2_CIS_PROFILE, 'pod-security-admission-config-file': CIS_PSA_CONFIG_PATH };
}

/** The files an RKE2 server gets with the profile: kernel parameters, admission configuration, the host script and its drop-in. */
export function cisFiles(): WriteFile[] {
  return [
    rootFile(CIS_SYSCTL_PATH, '0644', `${CIS_KERNEL_PARAMETERS.map(([key, value]) => `${key}=${value}`).join('\n')}\n`),
    rootFile(CIS_PSA_CONFIG_PATH, '0600', stringify(podSecurityAdmissionConfig(), { lineWidth: 0 })),
    serverScriptFile(CIS_HOST_PATH, CIS_HOST),
    // Written before runcmd's daemon-reload; systemd merges it into the bootstrap unit.
    rootFile(CIS_BOOTSTRAP_DROP_IN, '0644', `[Service]\nExecStartPre=${CIS_HOST_PATH} ${CIS_SYSCTL_PATH}\n`),
  ];
}
