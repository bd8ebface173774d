import { PINS } from '../../config/pins';
import { imageRef } from '../image-ref';
import { SERVER_PLAN_NAME, SYSTEM_UPGRADE_NAMESPACE } from '../object-names';
import { GATE_COMMAND, gateEnvironment, SHELL_IMAGE } from '../readiness-gates';

/**
 * The system-upgrade-controller (SUC) release the in-place upgrades run on,
 * and the server Plan they apply. Pinned: the controller registers its own
 * Plan CRD at start, so the CRD is the one of this release (docs/design-notes.md,
 * "Upgrades in the apply").
 */
export const SYSTEM_UPGRADE_CONTROLLER = {
  /** The newest release, which RKE2's automated-upgrade page installs (`releases/latest`); pinned in lib/config/pins.ts. */
  image: { repository: 'rancher/system-upgrade-controller', tag: PINS.systemUpgradeController.version },
  /**
   * The image its upgrade Jobs cordon (and drain) with. Not the release's own default (v1.30.3, `pkg/upgrade/job/job.go`
   * at v0.20.1): Kubernetes' version skew policy holds kubectl within one minor of the API server, and the servers run
   * 1.35 and 1.36 during the default's upgrade. Pinned in lib/config/pins.ts.
   */
  kubectlImage: { repository: 'rancher/kubectl', tag: PINS.kubectl.version },
} as const;

export { SERVER_PLAN_NAME, SYSTEM_UPGRADE_NAMESPACE };

/** Service account of the controller and of the upgrade Jobs it starts. */
export const SYSTEM_UPGRADE_SERVICE_ACCOUNT = 'system-upgrade';

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
  /** How many servers the cluster has: the prepare step waits for all the others. */
  readonly servers: number;
}

/** Seconds of a Job's deadline left to the upgrade itself (pull the image, swap the binary, kill the service). */
export const UPGRADE_STEP_SECONDS = 120;

/**
 * The Plan that upgrades the servers in place, one at a time, as RKE2's and
 * K3s' automated-upgrade pages set it up: concurrency 1, cordon, the servers
 * chosen by the control-plane role label, the version pinned (no channel, so
 * nothing moves until the settings do). No drain: the pages cordon servers and
 * do not drain them; every node here is a server, and draining one would
 * evict Rancher's replicas and the controller's own pod onto the two others
 * for the minutes the restart takes, for nothing (pods on a server that
 * restarts keep running).
 *
 * The controller starts the next server's Job as soon as the previous one
 * exits, which is right after that server's service was killed (rke2-upgrade
 * and k3s-upgrade replace the binary, kill the process and exit). The prepare
 * step (the gates' script, GATE=prepare, in the gates' image) therefore holds
 * each Job, before its node is cordoned, until the other servers are whole
 * again and the ones already upgraded run the version: never two etcd members
 * down. It gives up before the Job's deadline, and the controller retries the
 * Job. It reads Nodes only, which the controller's service account may.
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
      prepare: {
        image: imageRef(SHELL_IMAGE, props.registry),
        command: [...GATE_COMMAND],
        envs: [
          // kubectl keeps a discovery cache under $HOME.
          { name: 'HOME', value: '/tmp' },
          { name: 'DEADLINE_SECONDS', value: String(Math.max(props.jobDeadlineSeconds - UPGRADE_STEP_SECONDS, 60)) },
          ...gateEnvironment({ kind: 'prepare', version: props.version, servers: props.servers, embeddedEtcd: props.distribution === 'rke2' }),
        ],
        // The controller mounts the host's root at /host in every container of the Job; this one only reads the API,
        // so it runs as the gates do: not root (the host's files stay out of reach), no capabilities.
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 1000,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
      },
      upgrade: { image: imageRef({ repository: UPGRADE_IMAGES[props.distribution] }, props.registry) },
      version: props.version,
    },
  };
}
