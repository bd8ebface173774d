import { stringify } from 'yaml';
import { rootFile, type WriteFile } from '../../nodes/private/boot-files';
import { dualStackConfig } from './dual-stack';

import { selinuxConfig } from './rhel-family';

import { cisConfig } from './cis-profile';
import type { Rke2Settings } from './rke2-settings';

/**
 * RKE2 prunes S3 across the whole cluster: after each upload a server keeps the
 * newest `etcd-s3-retention` objects of every server's scheduled snapshots in
 * the folder (design notes, "S3 snapshot retention"). Set to `retention` times
 * the most servers an RKE2 deployment has, the same on every server whatever
 * the server count when it was created: `retention` schedule times with three
 * servers, three times as many of a lone server's own.
 */
export const S3_RETENTION_FACTOR = 3;

/**
 * Contents of /etc/rancher/rke2/config.yaml shared by every server. The
 * bootstrap script appends `server:` on nodes that join an existing cluster.
 */
export function rke2Config(s: Rke2Settings): Record<string, unknown> {
  return {
    'token-file': '/etc/rancher/rke2/token',
    'tls-san': s.tlsSans,
    cni: 'canal',
    // Pinned: RKE2 1.36 changes the default for new clusters, and the Rancher
    // chart's ingress class must name the same controller.
    'ingress-controller': [...s.ingressControllers],
    'write-kubeconfig-mode': '0600',
    'etcd-snapshot-schedule-cron': s.etcdSnapshots.scheduleCron,
    'etcd-snapshot-retention': s.etcdSnapshots.retention,
    // Set explicitly (older 1.35 patches do not fall back to the local retention); one value for the cluster.
    'etcd-s3-retention': s.etcdSnapshots.retention * S3_RETENTION_FACTOR,
    'etcd-s3': true,
    'etcd-s3-bucket': s.etcdSnapshots.bucket,
    'etcd-s3-region': s.etcdSnapshots.region,
    'etcd-s3-folder': s.etcdSnapshots.folder,
    ...(s.systemDefaultRegistry ? { 'system-default-registry': s.systemDefaultRegistry } : {}),
    ...dualStackConfig('rke2', s.dualStack),

    ...selinuxConfig(s.operatingSystem),

    ...(s.profile === 'cis' ? cisConfig() : {}),
  };
}

/** registries.yaml (RKE2 and K3s alike): containerd pulls each upstream registry through its mirrors. */
export function rke2Registries(mirrors: Readonly<Record<string, readonly string[]>>): Record<string, unknown> {
  return { mirrors: Object.fromEntries(Object.entries(mirrors).map(([upstream, endpoint]) => [upstream, { endpoint: [...endpoint] }])) };
}

/** The registries.yaml file (or `file`) under a distribution's config directory, when there are mirrors. */
export function registriesFiles(configDir: string, mirrors: Readonly<Record<string, readonly string[]>> = {}, file = 'registries.yaml'): WriteFile[] {
  if (Object.keys(mirrors).length === 0) return [];
  return [rootFile(`${configDir}/${file}`, '0600', stringify(rke2Registries(mirrors), { lineWidth: 0 }))];
}
