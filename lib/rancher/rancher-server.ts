import { Release } from '@cdktf/provider-helm/lib/release';
import { Password } from '@cdktn/provider-random/lib/password';
import { Fn, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { rancherChartValues, type RancherChartInput } from './chart-values';
import { RANCHER_NAMESPACE } from './namespace';

/**
 * Where Rancher publishes its chart: the community repositories (`stable`,
 * the releases promoted there; `latest`, every community release) and Rancher
 * Prime's. Community releases of a line stop once the next line ships; its
 * later patches go to Prime only (see `COMMUNITY_LAST_PATCH`).
 */
export const RANCHER_REPOSITORIES = {
  stable: 'https://releases.rancher.com/server-charts/stable',
  latest: 'https://releases.rancher.com/server-charts/latest',
  prime: 'https://charts.rancher.com/server-charts/prime',
} as const;
export type RancherRepository = keyof typeof RANCHER_REPOSITORIES;
export const RANCHER_REPOSITORY = RANCHER_REPOSITORIES.stable;

/** The Rancher chart's version, repository, values and order. */
export interface RancherServerProps extends RancherChartInput {
  /** Chart version, e.g. 2.14.4. */
  readonly version: string;
  /** Chart repository. @default RANCHER_REPOSITORY */
  readonly repository?: string;
  /**
   * Budget of the install, an upgrade and the uninstall (its post-delete hook
   * included): Rancher's pods pulling a large image on fresh nodes. A failed
   * install is rolled back (`atomic`), so the next apply starts clean. @default 20
   */
  readonly minutes?: number;
  /** Must be ready first: cert-manager (its webhook admits Rancher's Issuer) and the ingress controller. */
  readonly dependsOn: ITerraformDependable[];
  /**
   * A namespace the caller manages (RancherNamespace.name). Unset: Helm
   * creates `cattle-system` itself.
   */
  readonly namespace?: string;
}

/**
 * The Rancher chart with a generated bootstrap password. The password is in
 * Terraform state (as every generated secret is) and reaches the chart as a
 * sensitive value, never as a literal in the synthesized files.
 */
export class RancherServer extends Construct {
  /** The Helm release. */
  readonly release: Release;
  /** The generated bootstrap password (sensitive; a Terraform reference). */
  readonly bootstrapPassword: string;

  constructor(scope: Construct, id: string, props: RancherServerProps) {
    super(scope, id);
    const password = new Password(this, 'bootstrap-password', { length: 32, special: false });
    this.bootstrapPassword = password.result;

    this.release = new Release(this, 'release', {
      name: 'rancher',
      repository: props.repository ?? RANCHER_REPOSITORY,
      chart: 'rancher',
      version: props.version,
      namespace: props.namespace ?? RANCHER_NAMESPACE,
      createNamespace: props.namespace === undefined,
      wait: true,
      atomic: true,
      timeout: (props.minutes ?? 20) * 60,
      values: [Fn.yamlencode(rancherChartValues(props))],
      setSensitive: [{ name: 'bootstrapPassword', value: password.result }],
      dependsOn: props.dependsOn,
    });
  }
}
