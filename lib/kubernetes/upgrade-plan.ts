import { imageRef } from './image-ref';

/**
 * The system-upgrade-controller (SUC) release the in-place upgrades run on,
 * and the server Plan they apply. Pinned: the controller registers its own
 * Plan CRD at start, so the CRD is the one of this release (docs/design-notes.md,
 * "Upgrades in the apply").
 */
export const SYSTEM_UPGRADE_CONTROLLER = {
  /** The newest release, which RKE2's automated-upgrade page installs (`releases/latest`). */
  image: { repository: 'rancher/system-upgrade-controller', tag: 'v0.20.1' },
  /** The image its upgrade Jobs cordon (and drain) with: the release's own default. */
  kubectlImage: { repository: 'rancher/kubectl', tag: 'v1.30.3' },
} as const;

/** Namespace of the controller and its Plans (the upstream manifests' own). */
export const SYSTEM_UPGRADE_NAMESPACE = 'system-upgrade';
/** Service account of the controller and of the upgrade Jobs it starts. */
export const SYSTEM_UPGRADE_SERVICE_ACCOUNT = 'system-upgrade';
/** The Plan's name; the controller labels each node it upgraded `plan.upgrade.cattle.io/<name>`. */
export const SERVER_PLAN_NAME = 'server-plan';

/** The upgrade image of each distribution: it swaps the binary and restarts the service. */
export const UPGRADE_IMAGES = { rke2: 'rancher/rke2-upgrade', k3s: 'rancher/k3s-upgrade' } as const;
export type Distribution = keyof typeof UPGRADE_IMAGES;

export interface ServerPlanProps {
  readonly distribution: Distribution;
  /** The release every server is upgraded to, e.g. v1.35.7+rke2r1 (the image tag, `+` read as `-`). */
  readonly version: string;
  /** `airGap.systemDefaultRegistry`: the upgrade image comes from there. */
  readonly registry?: string;
  /** Seconds one node's upgrade Job may take before the controller stops the Plan. */
  readonly jobDeadlineSeconds: number;
}

/**
 * The Plan that upgrades the servers in place, one at a time, as RKE2's and
 * K3s' automated-upgrade pages set it up: concurrency 1, cordon, the servers
 * chosen by the control-plane role label, the version pinned (no channel, so
 * nothing moves until the settings do). No drain: the pages cordon servers and
 * do not drain them; every node here is a server, and draining one would
 * evict Rancher's replicas and the controller's own pod onto the two others
 * for the minutes the restart takes, for nothing (pods on a server that
 * restarts keep running).
 */
export function serverPlan(props: ServerPlanProps): Record<string, unknown> {
  return {
    apiVersion: 'upgrade.cattle.io/v1',
    kind: 'Plan',
    metadata: { name: SERVER_PLAN_NAME, namespace: SYSTEM_UPGRADE_NAMESPACE },
    spec: {
      concurrency: 1,
      cordon: true,
      nodeSelector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'In', values: ['true'] }] },
      serviceAccountName: SYSTEM_UPGRADE_SERVICE_ACCOUNT,
      jobActiveDeadlineSecs: props.jobDeadlineSeconds,
      upgrade: { image: imageRef({ repository: UPGRADE_IMAGES[props.distribution] }, props.registry) },
      version: props.version,
    },
  };
}
