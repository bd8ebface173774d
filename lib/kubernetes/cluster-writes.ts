/**
 * What the running cluster writes into objects Terraform owns, and the
 * `ignore_changes` paths that keep the next plan empty (design notes, "What
 * the cluster writes back"). Each key is ignored on its own: Terraform keeps
 * the value it read for that key and still manages every other one.
 */

/**
 * Rancher's namespace controller (namespace-auth, every namespace of the
 * `local` cluster): the marker of its first run, and the status annotation
 * with its `InitialRolesPopulated` condition.
 */
export const RANCHER_NAMESPACE_ANNOTATIONS = ['lifecycle.cattle.io/create.namespace-auth', 'cattle.io/status'] as const;

/**
 * Rancher's namespace label handler: once a namespace joins a project (as
 * `cattle-system` joins the System project), it stamps every secret already
 * in that namespace with the project.
 */
export const RANCHER_SECRET_ANNOTATIONS = ['field.cattle.io/projectId'] as const;

/** `ignore_changes` entries for single annotation keys of a Kubernetes resource's `metadata`. */
export function annotationPaths(keys: readonly string[]): string[] {
  return keys.map((key) => `metadata[0].annotations["${key}"]`);
}

/**
 * Helm, for every release Terraform installs (the charts, and each readiness
 * gate): the release record, a Secret `sh.helm.release.v1.<release>.v<revision>`
 * in the release's namespace (a gate's: the gates' namespace, beside its Job),
 * and its ownership label and annotations on the objects of the chart. Terraform
 * manages none of them: the helm provider reads the record back into the
 * release's computed `status` and `metadata` only (3.1.1 setReleaseAttributes),
 * so nothing is ignored.
 */
export const HELM_RELEASE_RECORD_PREFIX = 'sh.helm.release.v1.';
