import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { standbyKubeconfig } from '../shared/standby-rancher';
import type { KubeApi } from '../shared/kube/kube-api';
import { kubeApiFor, kubeApiOn } from '../shared/kube-api-for';
import { writeKubeconfig } from '../shared/kubeconfig';
import { type ModuleState, stringAttribute, Terraform } from '../shared/terraform';
import { readableError } from '../shared/tool-output';

// What the failover's report says once the name leads to the standby (docs/failover.md, "After a failover"): the
// downstream clusters whose system-agent needs a step of the person's, and where the standby's own backups go. Read
// after the move, never a reason to fail it: the failover has already happened.
//
// Imported RKE2/K3s clusters (rancher v2.15, pkg/controllers/management/systemagent/controller.go, read at v2.15.0 and
// release/v2.15 of 2026-08-21, the same file): Rancher installs system-agent on their nodes through the
// system-upgrade-controller Plan `system-agent-upgrader` (and `-windows`), feature `imported-day-2-ops` on by default,
// a cluster opting out with the annotation `rancher.io/operations-enabled: "false"`. The agent talks to Rancher's
// cluster with a ServiceAccount token, which a restore onto another cluster does not make valid (another signing key:
// rancher/rancher#40080, a maintainer's diagnosis). Rancher reapplies the Plan only when its template hash, kept on the
// restored Cluster (`management.cattle.io/applied-system-agent-upgrader-hash`), changes or the plan's Secret or
// ServiceAccount is missing; both came back with the restore, so nothing reruns the installer, and Rancher's day-2
// operations on the cluster wait (etcd snapshots and restores, encryption-key rotation: the operation kinds that
// controller tracks). The step #40080 gives: remove the Plan's label from the cluster's nodes; the
// system-upgrade-controller then runs the Plan's job again on each (it selects the nodes whose
// `plan.upgrade.cattle.io/<plan>` label is not the Plan's hash, pkg/upgrade/plan/plan.go), and the installer fetches a
// new token from the standby.

/** rancher's management Clusters (`clusters.management.cattle.io`, cluster-scoped). */
export const MANAGEMENT_CLUSTERS = { group: 'management.cattle.io', version: 'v3', plural: 'clusters' } as const;

/** The step, on each cluster listed, with a kubeconfig of that cluster (its own, or one Rancher gives for it). */
export const SYSTEM_AGENT_STEP =
  'kubectl --kubeconfig <that cluster> label nodes --all plan.upgrade.cattle.io/system-agent-upgrader- plan.upgrade.cattle.io/system-agent-upgrader-windows-';

/** A downstream cluster whose system-agent needs the step: its id, the name the UI shows, and what marked it. */
export interface ImportedCluster {
  readonly name: string;
  readonly displayName?: string;
  readonly kind: string;
}

/** What the report says of them: the clusters (none: an empty list) and the step, or why they could not be listed. */
export type ImportedClusters = { readonly clusters: readonly ImportedCluster[]; readonly step: string } | { readonly unlisted: string };

/** Where the standby's rancher-backup writes: its own bucket, in the standby region. */
export interface StandbyBackups {
  readonly bucket?: string;
  readonly region: string;
  /**
   * The region its settings replicate the bucket to (their `standby.region`), or false: none. A failover's standby
   * settings drop `standby` (failover-settings.ts standbySettings: the primary region may be the one lost), so false.
   */
  readonly secondRegion: string | false;
}

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * The management Cluster as Rancher's imported system-agent controller selects it (`shouldInstall`): not `local`,
 * not annotated `provisioning.cattle.io/administrated: "true"` (a cluster Rancher provisions: its restore re-runs the
 * installer itself), and `status.driver` `rke2` or `k3s` or the label `provider.cattle.io` `rke2` or `k3s`; minus
 * those with day-2 operations turned off (`rancher.io/operations-enabled: "false"`), which carry no system-agent.
 */
export function importedCluster(object: unknown): ImportedCluster | undefined {
  const metadata = record(record(object).metadata);
  const annotations = record(metadata.annotations);
  const labels = record(metadata.labels);
  const name = metadata.name;
  if (typeof name !== 'string' || name === 'local') return undefined;
  if (annotations['provisioning.cattle.io/administrated'] === 'true' || annotations['rancher.io/operations-enabled'] === 'false') return undefined;
  const driver = record(record(object).status).driver;
  const provider = labels['provider.cattle.io'];
  const kind = driver === 'rke2' || driver === 'k3s' ? driver : provider === 'rke2' || provider === 'k3s' ? provider : undefined;
  if (kind === undefined) return undefined;
  const displayName = record(record(object).spec).displayName;
  return { name, kind, ...(typeof displayName === 'string' && displayName !== name ? { displayName } : {}) };
}

/** The imported RKE2/K3s clusters of the standby's Rancher, or why they could not be listed (never thrown). */
export async function listImportedClusters(kube: () => Promise<KubeApi>): Promise<ImportedClusters> {
  try {
    const items = await (await kube()).clusterObjects.list(MANAGEMENT_CLUSTERS);
    if (items === undefined) return { unlisted: "clusters.management.cattle.io is not served on the standby's cluster (no Rancher restored there)" };
    const clusters = items.map(importedCluster).filter((c) => c !== undefined);
    return { clusters, step: SYSTEM_AGENT_STEP };
  } catch (error) {
    return { unlisted: readableError((error as Error).message, 300) };
  }
}

/**
 * After the move: the standby's state read once (its backup bucket; rke-ha's cluster-admin kubeconfig, written for
 * this process and removed once read), its management Clusters listed. Nothing here throws.
 */
export async function afterTheMove(o: {
  readonly stack: string;
  readonly moduleDir: string;
  /** The failover's folder: the standby's settings (k8s-ha's access to its cluster). */
  readonly root: string;
  readonly region: string;
}): Promise<{ importedClusters: ImportedClusters; standbyBackups: StandbyBackups }> {
  let state: ModuleState | undefined;
  let stateProblem = '';
  try {
    state = await new Terraform(o.moduleDir).pull();
  } catch (error) {
    stateProblem = readableError((error as Error).message, 300);
  }
  // The settings the standby was synthesized from (the failover's synth phase wrote them).
  let settings: Record<string, unknown> | undefined;
  let settingsProblem = '';
  try {
    settings = record(JSON.parse(readFileSync(join(o.root, 'settings.json'), 'utf8')));
  } catch (error) {
    settingsProblem = readableError((error as Error).message, 300);
  }
  const bucket = stringAttribute(state?.outputs.rancher_backup_bucket?.value);
  const second = record(settings?.standby).region;
  const standbyBackups: StandbyBackups = {
    ...(bucket ? { bucket } : {}),
    region: o.region,
    secondRegion: typeof second === 'string' ? second : false,
  };
  let written: string | undefined;
  try {
    const importedClusters = await listImportedClusters(async () => {
      if (o.stack === 'k8s-ha') {
        if (!settings) throw new Error(`the standby's settings could not be read: ${settingsProblem}`);
        const access = standbyKubeconfig(settings, o.moduleDir);
        if (!access)
          throw new Error("the standby's cluster is reached through Terraform variables (k8sHa.access.variables), which this command cannot read");
        return kubeApiOn(access);
      }
      if (!state) throw new Error(`the standby's state could not be read: ${stateProblem}`);
      written = writeKubeconfig(o.moduleDir, state);
      return kubeApiFor(written);
    });
    return { importedClusters, standbyBackups };
  } finally {
    if (written) rmSync(written, { force: true });
  }
}

/** The report's lines of both. */
export function afterMoveLines(imported: ImportedClusters | undefined, backups: StandbyBackups | undefined): string[] {
  const lines: string[] = [];
  if (imported && 'unlisted' in imported)
    lines.push(`  imported RKE2/K3s clusters: could not list (${imported.unlisted}); each needs the system-agent step (docs/failover.md)`);
  else if (imported && imported.clusters.length === 0) lines.push('  imported RKE2/K3s clusters: none needs the system-agent step');
  else if (imported)
    lines.push(
      `  imported RKE2/K3s clusters needing the system-agent step: ${imported.clusters.map((c) => `${c.name}${c.displayName ? ` (${c.displayName})` : ''}`).join(', ')}; on each: ${imported.step}`,
    );
  const where = backups && `  the standby's backups: ${backups.bucket ? `s3://${backups.bucket}` : 'its backup bucket'} in ${backups.region}`;
  if (backups?.secondRegion) lines.push(`${where}, replicated to ${backups.secondRegion} (its settings' standby.region)`);
  else if (backups)
    lines.push(
      `${where} only, no copy in a second region (the standby has no standby of its own); fail back once the primary region answers, or copy them to another region yourself (docs/failover.md)`,
    );
  return lines;
}
