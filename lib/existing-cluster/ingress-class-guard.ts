import { DataKubernetesResources } from '@cdktf/provider-kubernetes/lib/data-kubernetes-resources';
import { Construct } from 'constructs';
import type { GuardCondition } from '../common/deployment-guard';
import { escapeTemplate, hclString } from '../common/terraform-template';
import { INGRESS_MIGRATION_MIN_RANCHER } from '../config/versions';
import { versionOrder, versionOrderExpression } from '../kubernetes/private/upgrade-rules';

/** `spec.controller` of an IngressClass served by ingress-nginx. */
export const INGRESS_NGINX_CONTROLLER = 'k8s.io/ingress-nginx';
/** `spec.controller` of an IngressClass served by Traefik (its chart's IngressClass template). */
export const TRAEFIK_CONTROLLER = 'traefik.io/ingress-controller';

/** The class the settings name, and what the guard compares it with. */
export interface IngressClassGuardProps {
  /** The class the settings name now. */
  readonly className: string;
  /** The class came from the default: a running deployment keeps its own, never follows it. */
  readonly classDefaulted: boolean;
  /** The Rancher version the last apply recorded running (an expression; "" when unknown). */
  readonly rancherRunning: string;
  /** Namespace and name of Rancher's Ingress (the chart's: `cattle-system/rancher`). */
  readonly rancherIngress: {
    /** The Ingress's namespace. */
    readonly namespace: string;
    /** The Ingress's name. */
    readonly name: string;
  };
}

/**
 * Plan-time rules on Rancher's ingress class in a cluster the stack did not create. What Rancher's Ingress runs with is
 * read from the cluster (there is no record of it from before this rule), and so are the controllers of the
 * IngressClasses. A new deployment (no Ingress yet) and an unchanged class pass; on a running deployment the class moves
 * only from one ingress-nginx serves to one Traefik serves, with Rancher 2.14.0 or later running, and never by a change
 * of the default. Give `conditions` to the Rancher release: they are checked before it changes.
 */
export class IngressClassGuard extends Construct {
  /** The rules, for the Rancher release's preconditions. */
  readonly conditions: GuardCondition[];
  /** Rancher's Ingress as the cluster has it (none on a new deployment). */
  readonly runningIngress: DataKubernetesResources;
  /** The cluster's IngressClasses, with their controllers. */
  readonly ingressClasses: DataKubernetesResources;

  constructor(scope: Construct, id: string, props: IngressClassGuardProps) {
    super(scope, id);
    // Read at plan time (no dependency on anything the plan creates): an empty list before Rancher is installed.
    this.runningIngress = new DataKubernetesResources(this, 'rancher-ingress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      namespace: props.rancherIngress.namespace,
      fieldSelector: `metadata.name=${props.rancherIngress.name}`,
    });
    this.ingressClasses = new DataKubernetesResources(this, 'ingress-classes', { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass' });

    const objects = `try(${this.runningIngress.fqn}.objects, [])`;
    // An Ingress without a class (none set, or null) is a running one all the same: it names no class the move may start from.
    const running = `try(coalesce(${objects}[0].spec.ingressClassName, "(none)"), "(none)")`;
    const controllerOf = (name: string) =>
      `try([for c in try(${this.ingressClasses.fqn}.objects, []) : c.spec.controller if try(c.metadata.name, "") == ${name}][0], "")`;
    const now = hclString(props.className);
    const shown = escapeTemplate(props.className);
    const kept = `length(${objects}) == 0 || ${running} == ${now}`;
    const offNginx = `${controllerOf(running)} == "${INGRESS_NGINX_CONTROLLER}" && ${controllerOf(now)} == "${TRAEFIK_CONTROLLER}"`;
    const floor = `try(${versionOrderExpression('rancher', props.rancherRunning)} >= ${versionOrder('rancher', INGRESS_MIGRATION_MIN_RANCHER)}, false)`;
    const procedure = 'docs/day-2.md, "Off ingress-nginx"';
    this.conditions = props.classDefaulted
      ? [
          {
            condition: `\${${kept}}`,
            errorMessage:
              `ingress.className is unset: its default is "${shown}" for new deployments, but Rancher's ingress runs with class "\${${running}}". ` +
              `A running deployment keeps its class: set ingress.className (and ingress.service) to the ones it runs with and the plan is as before. To move it to Traefik: ${procedure}.`,
          },
        ]
      : [
          {
            condition: `\${${kept} || (${offNginx})}`,
            errorMessage:
              `ingress.className is "${shown}" (controller "\${${controllerOf(now)}}"), but Rancher's ingress runs with class "\${${running}}" (controller "\${${controllerOf(running)}}"). ` +
              `On a running deployment the class moves only from one ingress-nginx serves (${INGRESS_NGINX_CONTROLLER}) to one Traefik serves (${TRAEFIK_CONTROLLER}): ` +
              `set ingress.className back to "\${${running}}" (${procedure}).`,
          },
          {
            // Only the move off ingress-nginx needs the floor; a refused move is said by the rule above alone.
            condition: `\${${kept} || !(${offNginx}) || ${floor}}`,
            errorMessage:
              `ingress.className moves Rancher's ingress from "\${${running}}" to "${shown}", which needs Rancher ${INGRESS_MIGRATION_MIN_RANCHER} or later running ` +
              `(Rancher's migration off ingress-nginx starts there), but the running Rancher is "\${${props.rancherRunning} == "" ? "not recorded" : ${props.rancherRunning}}". ` +
              'Upgrade Rancher first (an apply with only versions.rancher changed), then change the class.',
          },
        ];
  }
}
