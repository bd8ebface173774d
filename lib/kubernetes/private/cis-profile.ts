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

/** The namespaces RKE2's own restricted configuration exempts (pkg/rke2/psa.go): its system pods. */
const RKE2_EXEMPT = ['kube-system', 'compliance-operator-system', 'tigera-operator'];

/**
 * The namespaces Rancher's own `rancher-restricted` template exempts, in every Rancher line the project supports
 * (pkg/data/management/podadmissionconfigurationtemplate_data.go, v2.12.3 to v2.15.0; 2.12 has
 * cattle-provisioning-capi-system, 2.13 and later cattle-turtles-system): Rancher itself and its webhook
 * (cattle-system), Fleet, the system charts Rancher installs, and the namespaces of the apps Rancher offers. One
 * list for every line, so a Rancher upgrade does not change the servers' user data.
 */
const RANCHER_EXEMPT = [
  'ingress-nginx',
  'kube-system',
  'cattle-system',
  'cattle-epinio-system',
  'cattle-fleet-system',
  'cattle-fleet-local-system',
  'longhorn-system',
  'cattle-neuvector-system',
  'cattle-monitoring-system',
  'rancher-alerting-drivers',
  'cis-operator-system',
  'compliance-operator-system',
  'cattle-csp-adapter-system',
  'cattle-externalip-system',
  'cattle-gatekeeper-system',
  'istio-system',
  'cattle-istio-system',
  'cattle-logging-system',
  'cattle-windows-gmsa-system',
  'cattle-sriov-system',
  'cattle-ui-plugin-system',
  'tigera-operator',
  'cattle-provisioning-capi-system',
  'cattle-turtles-system',
];

/**
 * What this deployment installs that is not restricted-compliant and not in Rancher's list: the rancher-backup
 * operator (chart 109.0.7+up10.0.8: its container and its patch-sa hook Job set neither a seccomp profile nor
 * dropped capabilities). cert-manager (v1.21.1, every pod restricted-compliant) and the deployment's own gate and
 * backup-object Jobs (restricted-compliant, gate-chart.ts) are not exempted; the system-upgrade namespace admits
 * privileged pods by its own label (system-upgrade-controller.ts).
 */
const DEPLOYMENT_EXEMPT = ['cattle-resources-system'];

/** Every namespace exempt from the restricted policy, sorted. */
export const CIS_EXEMPT_NAMESPACES: readonly string[] = [...new Set([...RKE2_EXEMPT, ...RANCHER_EXEMPT, ...DEPLOYMENT_EXEMPT])].sort();

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
