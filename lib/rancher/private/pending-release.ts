import type { Release } from '@cdktf/provider-helm/lib/release';
import { DataKubernetesResources } from '@cdktf/provider-kubernetes/lib/data-kubernetes-resources';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { GuardCondition } from '../../common/deployment-guard';
import type { CheckAssertion } from '../../common/private/check';

/**
 * The statuses of a Helm operation that began and has not recorded its end (helm v3.18.4 and v3.20.2
 * `pkg/release/status.go`, IsPending). While the newest revision of a release has one, `helm upgrade` refuses with
 * "another operation (install/upgrade/rollback) is in progress" (`pkg/action/upgrade.go`, prepareUpgrade: only the
 * newest revision, `Storage.Last`, is looked at).
 */
export const PENDING_STATUSES = ['pending-install', 'pending-upgrade', 'pending-rollback'] as const;

/** A Helm release this stack installs: its name and the literal name of its namespace. */
export interface PendingReleaseProps {
  readonly release: string;
  readonly namespace: string;
  /**
   * The cluster exists (as VersionRecordProps.readAfter): the reads wait for it, so on a first apply they happen at
   * apply time (the cluster, and the provider's address, do not exist while planning) and the check with them.
   */
  readonly readAfter: readonly ITerraformDependable[];
}

/**
 * The release's revision records as Helm 3 keeps them: one Secret `sh.helm.release.v1.<release>.v<revision>` per
 * revision, labelled `owner=helm`, `name=<release>`, `status=<status>`, `version=<revision>` (helm v3.18.4
 * `pkg/storage/driver/secrets.go`, newSecretsObject; `pkg/storage/storage.go`, makeKey). Helm writes the label with
 * the record at every write, so it is the status Helm reads back.
 *
 * Two reads (kubernetes provider 2.38.0 `kubernetes_resources`, a List with a label selector): the revisions with a
 * pending status (normally none, so nothing is read), and the revision after the newest of them. A pending revision
 * with a later one after it is no obstacle: `helm rollback` writes a new revision and leaves the pending record as it
 * was (`pkg/action/rollback.go`, performRollback), so the record of a cleared release stays pending for good. The
 * newest revision is pending exactly when no revision follows the newest pending one (Helm numbers revisions one
 * after the other and prunes the oldest, `Storage.removeLeastRecent`).
 */
export class PendingRelease extends Construct {
  /**
   * The release's precondition: its newest revision is not pending-upgrade nor pending-rollback (a Terraform
   * expression, `${...}`). A pending-install passes: see `installCheck`.
   */
  readonly condition: GuardCondition;
  /** The newest pending revision's status, "" when none is pending or a later revision follows it (an expression). */
  private readonly stuckStatus: string;
  private readonly newestPending: string;
  private readonly props: PendingReleaseProps;

  constructor(scope: Construct, id: string, props: PendingReleaseProps) {
    super(scope, id);
    const selector = `owner=helm,name=${props.release}`;
    const pending = new DataKubernetesResources(this, 'pending', {
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: props.namespace,
      labelSelector: `${selector},status in (${PENDING_STATUSES.join(',')})`,
      dependsOn: [...props.readAfter],
    });
    const objects = `try(${pending.fqn}.objects, [])`;
    const revisions = `[for o in ${objects} : tonumber(o.metadata.labels.version)]`;
    // -1 when none is pending: the revision after it, 0, never exists (Helm's first revision is 1).
    const newestPending = `max(concat([-1], ${revisions})...)`;
    const next = new DataKubernetesResources(this, 'after-pending', {
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: props.namespace,
      labelSelector: `${selector},version=\${${newestPending} + 1}`,
      dependsOn: [...props.readAfter],
    });
    // "" when none is pending: Terraform evaluates the message with the condition, and a null cannot be interpolated.
    const status = `join("", [for o in ${objects} : o.metadata.labels.status if tonumber(o.metadata.labels.version) == ${newestPending}])`;
    const { release, namespace } = props;
    const clear = `length(${objects}) == 0 || length(try(${next.fqn}.objects, [])) > 0`;
    this.props = props;
    this.newestPending = newestPending;
    this.stuckStatus = `(${clear} ? "" : ${status})`;
    this.condition = {
      condition: `\${${clear} || ${status} == "pending-install"}`,
      errorMessage:
        `The Helm release "${release}" in namespace ${namespace} is \${${status}} at revision \${${newestPending}}: a Helm operation ` +
        `began and never recorded its end (the run was stopped, or Helm's write of its record, Secret ` +
        `sh.helm.release.v1.${release}.v\${${newestPending}}, failed: rancher/rancher#53134), and Helm refuses every later upgrade ` +
        `with "another operation (install/upgrade/rollback) is in progress". Unless a helm or terraform run is still at ` +
        `work on this cluster, roll the release back to its last deployed revision (helm history ${release} -n ${namespace} ` +
        `names it, normally \${${newestPending} - 1}): helm rollback ${release} <revision> -n ${namespace}; without helm, ` +
        `kubectl -n ${namespace} delete secret sh.helm.release.v1.${release}.v\${${newestPending}} (Helm's newest revision is then ` +
        `the one before). Then apply again. docs/upgrade.md, "A Helm release stuck pending".`,
    };
  }

  /**
   * A check (a warning, never a refusal) for a newest revision left pending-install: an install that began and never
   * recorded its end, with no deployed revision before it, so nothing to roll back to (helm v3.18.4
   * `pkg/action/rollback.go`: "release has no <n> version"). Helm refuses to install the name again ("cannot re-use a
   * name that is still in use", `pkg/action/install.go` availableName, even with the provider's `replace`, which takes
   * over only a failed or uninstalled release) and to upgrade it ("another operation ... is in progress"), but
   * uninstalls it (`pkg/action/uninstall.go`: any status but uninstalled). So the release's replacement, an uninstall
   * then an install, clears it, and the precondition lets it through (`condition`); whichever else Terraform planned
   * (the upgrade of a release its state holds, the install of one it does not: helm provider 3.1.1 keeps no state of
   * a failed create) fails in Helm before changing anything, and this names the way out. `address` is the release's
   * Terraform address.
   */
  installCheck(address: string): PendingInstallPart {
    const { release, namespace } = this.props;
    return {
      holds: `${this.stuckStatus} != "pending-install"`,
      names: `format("the release ${release} of namespace ${namespace} at revision %d (Terraform address ${address})", ${this.newestPending})`,
    };
  }
}

/** One release's part of the pending-install check: bare expressions, whether it holds and what names the release. */
export interface PendingInstallPart {
  readonly holds: string;
  /** A string expression naming the release, its namespace, the pending revision and its Terraform address. */
  readonly names: string;
}

/**
 * The releases' pending-install parts as one assertion: one warning names every release left pending-install, and a
 * first plan, whose reads wait for the apply, reports one assertion known after apply, not one a release.
 */
export function pendingInstallCheck(parts: readonly PendingInstallPart[]): CheckAssertion {
  const stuck = parts.map((p) => `(${p.holds}) ? "" : ${p.names}`).join(', ');
  return {
    condition: `\${${parts.map((p) => `(${p.holds})`).join(' && ')}}`,
    errorMessage:
      `Helm left pending-install \${join("; ", compact([${stuck}]))}: an install that began and never recorded its end, ` +
      `with no revision to roll back to. Helm refuses to install the name again ("cannot re-use a name that is still ` +
      `in use") and to upgrade it ("another operation (install/upgrade/rollback) is in progress"), but uninstalls it. ` +
      `Unless a helm or terraform run is still at work on this cluster, replace it: terraform apply -replace=<that ` +
      `address> uninstalls it and installs it afresh; if terraform state list does not name the address, run helm ` +
      `uninstall <release> -n <namespace>, then apply again. docs/upgrade.md, "A Helm release stuck pending".`,
  };
}

/** Adds the guard's condition after a release's own preconditions: checked before the release changes. */
export function guardPendingRelease(release: Release, guard: PendingRelease): void {
  const lifecycle = release.lifecycle ?? {};
  release.lifecycle = { ...lifecycle, precondition: [...(lifecycle.precondition ?? []), guard.condition] };
}
