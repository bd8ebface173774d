import type { GuardCondition } from '../../common/deployment-guard';
import type { TerraformData } from '../../common/terraform-data';
import { escapeTemplate } from '../../common/terraform-template';
import type { IngressMigrationStep } from '../../config/rke-ha-schema';
import { INGRESS_MIGRATION_MIN_RANCHER } from '../../config/versions';
import { versionOrder, versionOrderExpression } from '../../kubernetes/private/upgrade-rules';

/** What a server's record holds (ServerNode.runningRecord): the controllers its config.yaml lists, comma-joined. */
export const BOTH_CONTROLLERS = 'ingress-nginx,traefik';
const TRAEFIK_ALONE = 'traefik';
const PROCEDURE = 'docs/day-2.md, "Off ingress-nginx"';
const ROLL = 'npm run roll -- rke-ha';

export interface IngressMigrationProps {
  readonly step: IngressMigrationStep;
  /** The guard's record of `rkeHa.ingressController` (the controller the deployment was created with), as `output`. */
  readonly recordedController: string;
  /** The Rancher version the last apply recorded running (an expression; "" when unknown). */
  readonly rancherRunning: string;
  /** Per server (server-0, ...), the record of the controllers it runs (`plannedInput`: known in every plan). */
  readonly servers: readonly TerraformData[];
  /**
   * Step `done`: per public port, what its listener forwards to now (read while planning) and the side port's target
   * group it must forward to already, both as expressions.
   */
  readonly listeners?: readonly { readonly port: number; readonly forwardsNow: string; readonly sideGroupArn: string }[];
}

/**
 * The plan-time rules of a move off ingress-nginx (`rkeHa.ingressMigration`), for the deployment guard. The move starts
 * only from a deployment created with ingress-nginx and Rancher 2.14.0 or later running (Rancher's own migration
 * starts there). A step that points the load balancer at Traefik (`moved`) or takes ingress-nginx out (`done`) is
 * taken only once every server runs Traefik beside ingress-nginx, as its record shows: a server not rolled since
 * `beside` (or that a roll of `done` took to Traefik alone, for `moved`) refuses the plan; so does `beside` once a server
 * runs Traefik alone. Unsetting the steps (back to ingress-nginx) drops the records: the documented way back is from
 * `beside` or `moved` only.
 */
export function ingressMigrationConditions(props: IngressMigrationProps): GuardCondition[] {
  const { step } = props;
  const floor = `try(${versionOrderExpression('rancher', props.rancherRunning)} >= ${versionOrder('rancher', INGRESS_MIGRATION_MIN_RANCHER)}, false)`;
  const conditions: GuardCondition[] = [
    {
      condition: `\${${props.recordedController} == "ingress-nginx"}`,
      errorMessage:
        `ingressMigration is "${step}", but this deployment was created with "\${${props.recordedController}}": the steps move a deployment ` +
        'created with ingress-nginx to Traefik, and this one runs Traefik already. Remove ingressMigration.',
    },
    {
      condition: `\${${floor}}`,
      errorMessage:
        `ingressMigration needs Rancher ${INGRESS_MIGRATION_MIN_RANCHER} or later running (Rancher's migration off ingress-nginx starts there), ` +
        `but the running Rancher is "\${${props.rancherRunning} == "" ? "not recorded" : ${props.rancherRunning}}". Upgrade Rancher first, in an apply of its ` +
        `own, with ingressMigration and ingressController as they were (${PROCEDURE}).`,
    },
  ];
  // "held": a server not rolled since the records were written (at `beside`), so it runs what it was created with.
  const allowed = { beside: ['held', BOTH_CONTROLLERS], moved: [BOTH_CONTROLLERS], done: [BOTH_CONTROLLERS, TRAEFIK_ALONE] }[step];
  const next = {
    beside: 'ingress-nginx was taken out of it (step done), and the move does not go back: set ingressMigration to done',
    moved: `every server must run both controllers before the load balancer moves to Traefik: set ingressMigration back to beside, apply, and roll the servers (${ROLL}) first`,
    done: `every server must run both controllers before ingress-nginx is taken out: set ingressMigration to beside, apply, roll the servers (${ROLL}), then moved`,
  }[step];
  // Terraform destroys a target group no longer configured before it updates the listener that forwarded to it (a
  // listener's update waits for the destroy of what it referred to): `done` straight after `beside` would deregister
  // ingress-nginx's targets, then fail to delete a group in use, leaving 80/443 with no target. `moved` first.
  const listeners = (props.listeners ?? []).map(({ port, forwardsNow, sideGroupArn }) => ({
    condition: `\${${forwardsNow} == ${sideGroupArn}}`,
    errorMessage:
      `ingressMigration is "done", but the load balancer's port ${port} still forwards to ingress-nginx: apply ` +
      `ingressMigration moved first (it moves the listeners alone) and check Rancher answers through Traefik (${PROCEDURE}).`,
  }));
  return [
    ...conditions,
    ...listeners,
    ...props.servers.map((record, i) => ({
      condition: `\${contains([${allowed.map((a) => `"${a}"`).join(', ')}], ${record.plannedInput})}`,
      errorMessage:
        `ingressMigration is "${step}", but server-${i} runs "\${${record.plannedInput} == "held" ? "what it was created with (not rolled since the move began)" : ${record.plannedInput}}" ` +
        `as its ingress-controller list: ${escapeTemplate(next)} (${PROCEDURE}).`,
    })),
  ];
}
