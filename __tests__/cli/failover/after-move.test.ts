import { afterMoveLines, importedCluster, listImportedClusters, SYSTEM_AGENT_STEP } from '../../../cli/failover/after-move';
import type { KubeApi } from '../../../cli/shared/kube/kube-api';
import { MANAGEMENT_CLUSTERS, NEEDING_THE_STEP } from '../../helpers/management-clusters';

// What the failover's report says once the name leads to the standby (cli/failover/after-move.ts): the imported
// RKE2/K3s clusters whose system-agent needs the person's step, and where the standby's own backups go.

/** A Kubernetes layer whose list of management Clusters answers `list` (the rest of the layer is never called). */
const kubeListing = (list: () => Promise<unknown[] | undefined>) => async () => ({ clusterObjects: { list } }) as unknown as KubeApi;

describe("the failover's report after the move", () => {
  it('selects the imported RKE2 and K3s clusters as Rancher installs system-agent on them: not local, provisioned, opted out, EKS or generic', () => {
    expect(MANAGEMENT_CLUSTERS.map(importedCluster).filter((c) => c !== undefined)).toEqual(NEEDING_THE_STEP);
    expect(importedCluster(undefined)).toBeUndefined();
    expect(importedCluster({ metadata: {} })).toBeUndefined();
  });

  it('lists them with the step; none is an empty list; a refused, failed or unserved list is reported, never thrown', async () => {
    expect(await listImportedClusters(kubeListing(async () => MANAGEMENT_CLUSTERS))).toEqual({ clusters: NEEDING_THE_STEP, step: SYSTEM_AGENT_STEP });
    expect(await listImportedClusters(kubeListing(async () => MANAGEMENT_CLUSTERS.slice(0, 1)))).toEqual({ clusters: [], step: SYSTEM_AGENT_STEP });
    expect(await listImportedClusters(kubeListing(async () => undefined))).toEqual({
      unlisted: "clusters.management.cattle.io is not served on the standby's cluster (no Rancher restored there)",
    });
    const refused = kubeListing(async () => {
      throw new Error('Listing clusters.management.cattle.io: the API server refused it (403 Forbidden)');
    });
    expect(await listImportedClusters(refused)).toEqual({
      unlisted: 'Listing clusters.management.cattle.io: the API server refused it (403 Forbidden)',
    });
    const unreachable = async () => {
      throw new Error('The kubeconfig /nowhere does not exist');
    };
    expect(await listImportedClusters(unreachable)).toEqual({ unlisted: 'The kubeconfig /nowhere does not exist' });
  });

  it("says each in the report's text: the clusters and the step, none, or could not list; the standby's backups in its region alone", () => {
    const backups = { bucket: 'rancher-sb-backups', region: 'us-west-2', secondRegion: false } as const;
    const [listed, where] = afterMoveLines({ clusters: NEEDING_THE_STEP, step: SYSTEM_AGENT_STEP }, backups);
    expect(listed).toBe(
      `  imported RKE2/K3s clusters needing the system-agent step: c-7xk2p (edge-rke2), c-q9w4r (edge-k3s); on each: ${SYSTEM_AGENT_STEP}`,
    );
    expect(SYSTEM_AGENT_STEP).toBe(
      'kubectl --kubeconfig <that cluster> label nodes --all plan.upgrade.cattle.io/system-agent-upgrader- plan.upgrade.cattle.io/system-agent-upgrader-windows-',
    );
    expect(where).toBe(
      "  the standby's backups: s3://rancher-sb-backups in us-west-2 only, no copy in a second region (the standby has no standby of its own); fail back once the primary region answers, or copy them to another region yourself (docs/failover.md)",
    );
    expect(afterMoveLines({ clusters: [], step: SYSTEM_AGENT_STEP }, undefined)).toEqual([
      '  imported RKE2/K3s clusters: none needs the system-agent step',
    ]);
    expect(afterMoveLines({ unlisted: 'no route' }, { region: 'us-west-2', secondRegion: false })).toEqual([
      '  imported RKE2/K3s clusters: could not list (no route); each needs the system-agent step (docs/failover.md)',
      "  the standby's backups: its backup bucket in us-west-2 only, no copy in a second region (the standby has no standby of its own); fail back once the primary region answers, or copy them to another region yourself (docs/failover.md)",
    ]);
    expect(afterMoveLines(undefined, undefined)).toEqual([]);
    // Settings that replicated it (a standby with `standby.region` of its own): said so, no advice.
    expect(afterMoveLines(undefined, { ...backups, secondRegion: 'eu-central-1' })).toEqual([
      "  the standby's backups: s3://rancher-sb-backups in us-west-2, replicated to eu-central-1 (its settings' standby.region)",
    ]);
  });
});
