import { Release } from '@cdktf/provider-helm/lib/release';
import { Fn, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { literal, literalArgument } from '../common/terraform-template';
import { gateChart, type Json } from './gate-chart';

// What a library user installs into a deployment's cluster after Rancher (the deployments' addHelmChart and
// addManifest): Helm releases through the stack's helm provider, the one the deployment installs Rancher with.

/** Minutes Helm waits for a release by default. */
export const ADDITION_MINUTES = 10;

/** A chart to install (RancherOnRke.addHelmChart, RancherOnExistingCluster.addHelmChart). */
export interface HelmChartOptions {
  /** The chart's name in its repository, or an OCI reference or a path. */
  readonly chart: string;
  /** The chart repository's URL. @default none (`chart` is a reference or a path) */
  readonly repository?: string;
  /** The chart version; pin it, or every plan may upgrade it. @default the repository's newest */
  readonly version?: string;
  /** The release's namespace. @default 'default' */
  readonly namespace?: string;
  /** Whether Helm creates the namespace. @default true */
  readonly createNamespace?: boolean;
  /** The Helm release's name (at most 53 characters). @default the id */
  readonly release?: string;
  /** The chart's values, as plain data (escaped for Terraform; references stay references). @default none */
  readonly values?: Readonly<Record<string, unknown>>;
  /** Whether the apply waits until the release's resources are ready (and its Jobs done). @default true */
  readonly wait?: boolean;
  /** Budget of the install, an upgrade and the uninstall. @default ADDITION_MINUTES (10) */
  readonly minutes?: number;
  /** Installed after these too. @default Rancher answering `/ping` only */
  readonly dependsOn?: ITerraformDependable[];
}

/** Kubernetes objects to apply (the deployments' addManifest). */
export interface ManifestOptions {
  /** The namespace of the release, and of every namespaced object that names none; it must exist. @default 'default' */
  readonly namespace?: string;
  /** The Helm release's name. @default the id */
  readonly release?: string;
  /** Budget of the install. @default ADDITION_MINUTES (10) */
  readonly minutes?: number;
  /** Applied after these too. @default Rancher answering `/ping` only */
  readonly dependsOn?: ITerraformDependable[];
}

/** A Kubernetes object as the API takes it (`apiVersion`, `kind`, `metadata`, ...). */
export type KubernetesObject = {
  /** The object's API group and version (`v1`, `apps/v1`). */
  readonly apiVersion: string;
  /** The object's kind (`ConfigMap`). */
  readonly kind: string;
} & { readonly [key: string]: Json };

/** A Helm release of `options.chart` (construct `helm-chart-<id>` in `scope`), installed after `after` and `options.dependsOn`. */
export function helmChart(scope: Construct, id: string, options: HelmChartOptions, after: readonly ITerraformDependable[]): Release {
  const minutes = options.minutes ?? ADDITION_MINUTES;
  return new Release(scope, `helm-chart-${id}`, {
    name: literal(options.release ?? id),
    chart: literal(options.chart),
    repository: options.repository === undefined ? undefined : literal(options.repository),
    version: options.version === undefined ? undefined : literal(options.version),
    namespace: literal(options.namespace ?? 'default'),
    createNamespace: options.createNamespace ?? true,
    wait: options.wait ?? true,
    waitForJobs: options.wait ?? true,
    // A failed install is rolled back, so the next apply starts clean.
    atomic: true,
    timeout: minutes * 60,
    values: options.values === undefined ? undefined : [Fn.yamlencode(literalArgument(options.values))],
    dependsOn: [...after, ...(options.dependsOn ?? [])],
  });
}

/**
 * The objects (construct `manifest-<id>` in `scope`) as one Helm release of the module's one-template chart (gateChart: its template prints the value
 * `manifest` as it is), not as `kubernetes_manifest` resources: the kubernetes provider reads a manifest's kind
 * from the API while planning, so an object of a CRD the same apply installs (or a cluster not yet up) would fail
 * the plan; Helm sends the objects only at apply. A change of the objects upgrades the release in place.
 */
export function manifest(
  scope: Construct,
  id: string,
  objects: readonly KubernetesObject[],
  options: ManifestOptions,
  after: readonly ITerraformDependable[],
): Release {
  if (objects.length === 0) throw new Error(`addManifest ${id}: no objects`);
  const minutes = options.minutes ?? ADDITION_MINUTES;
  const text = objects.map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd()).join('\n---\n');
  return new Release(scope, `manifest-${id}`, {
    name: literal(options.release ?? id),
    chart: gateChart(scope),
    namespace: literal(options.namespace ?? 'default'),
    // References stay references, every other `${` arrives as written.
    values: [literal(JSON.stringify({ manifest: text }))],
    wait: true,
    atomic: true,
    timeout: minutes * 60,
    dependsOn: [...after, ...(options.dependsOn ?? [])],
  });
}
