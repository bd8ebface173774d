import { dataSources, resources, type TerraformJson } from '../../helpers/synth';
import { K8S_HA_STACK, RKE_HA_STACK, synthSettings } from '../../helpers/variants';

/**
 * Every Helm release the stacks upgrade (Rancher, cert-manager, the backup charts) is read before it changes: a
 * `kubernetes_resources` list of its pending revision Secrets, and a precondition on the release that stops the plan
 * while Helm's newest revision is pending-upgrade or pending-rollback, and a check that warns while it is
 * pending-install (lib/rancher/private/pending-release.ts; the plan itself,
 * __tests__/lib/rancher/pending-release.tools.test.ts).
 */
const BASE = { hostname: 'rancher.example.com', hostedZone: 'example.com' };

const NAMESPACES: Record<string, string> = {
  rancher: 'cattle-system',
  'cert-manager': 'cert-manager',
  'rancher-backup-crd': 'cattle-resources-system',
  'rancher-backup': 'cattle-resources-system',
};
/** The releases of the charts the stacks upgrade (not the readiness gates' and backup jobs' own small charts). */
const releasesOf = (json: TerraformJson) => Object.values(resources(json, 'helm_release')).filter((r: any) => r.chart in NAMESPACES);
/** The guard's reads: Secrets owned by Helm (k8s-ha's preflight lists IngressClasses with the same data source). */
const pendingReads = (json: TerraformJson) =>
  Object.fromEntries(Object.entries(dataSources(json, 'kubernetes_resources')).filter(([, d]) => String(d.label_selector).startsWith('owner=helm,')));

describe.each([
  [RKE_HA_STACK, () => synthSettings(RKE_HA_STACK, BASE).json],
  [K8S_HA_STACK, () => synthSettings(K8S_HA_STACK, BASE).json],
])('%s: a release Helm left pending stops the plan', (_stack, synth) => {
  let json: TerraformJson;
  beforeAll(() => {
    json = synth();
  });

  it('reads the pending revisions of rancher, cert-manager (where installed), rancher-backup-crd and rancher-backup, each in its namespace', () => {
    const names = releasesOf(json).map((r: any) => r.name as string);
    expect(names).toEqual(expect.arrayContaining(['rancher', 'rancher-backup-crd', 'rancher-backup']));
    const reads = Object.values(pendingReads(json)) as any[];
    const pending = reads.filter((r) => r.label_selector.includes('status in'));
    expect(pending.map((r) => [r.label_selector, r.namespace]).sort()).toEqual(
      names.map((name) => [`owner=helm,name=${name},status in (pending-install,pending-upgrade,pending-rollback)`, NAMESPACES[name]]).sort(),
    );
    expect(reads).toHaveLength(2 * names.length);
    for (const read of reads) expect(read).toMatchObject({ api_version: 'v1', kind: 'Secret' });
  });

  it('gives every release a precondition on its own reads, after the release preconditions it had; each rolls a failed upgrade back', () => {
    for (const release of releasesOf(json) as any[]) {
      // atomic (which waits): a failed upgrade is marked failed and rolled back to the last deployed revision, which the
      // next apply upgrades from; only a run stopped mid-upgrade or a lost write of Helm's record leaves it pending.
      expect([release.name, release.atomic, release.wait]).toEqual([release.name, true, true]);
      const conditions = release.lifecycle.precondition as { condition: string; error_message: string }[];
      const last = conditions[conditions.length - 1];
      const reads = [...last.condition.matchAll(/data\.kubernetes_resources\.([A-Za-z0-9_-]+)\.objects/g)].map((m) => m[1]);
      const [pending, after] = reads;
      const objects = `try(data.kubernetes_resources.${pending}.objects, [])`;
      // None pending, or a revision after the newest pending one (Helm's newest is then not pending), or the newest
      // pending-install, which its replacement clears (the check below names it).
      const newest = `max(concat([-1], [for o in ${objects} : tonumber(o.metadata.labels.version)])...)`;
      const status = `join("", [for o in ${objects} : o.metadata.labels.status if tonumber(o.metadata.labels.version) == ${newest}])`;
      expect(last.condition).toBe(
        `\${length(${objects}) == 0 || length(try(data.kubernetes_resources.${after}.objects, [])) > 0 || ${status} == "pending-install"}`,
      );
      expect(pendingReads(json)[pending].label_selector).toBe(
        `owner=helm,name=${release.name},status in (pending-install,pending-upgrade,pending-rollback)`,
      );
      expect(pendingReads(json)[after].label_selector).toBe(
        `owner=helm,name=${release.name},version=\${max(concat([-1], [for o in ${objects} : tonumber(o.metadata.labels.version)])...) + 1}`,
      );
      expect(last.error_message).toContain(`The Helm release "${release.name}" in namespace ${NAMESPACES[release.name]} is `);
      expect(last.error_message).toContain(`helm rollback ${release.name} <revision> -n `);
      expect(last.error_message).toContain('rancher/rancher#53134');
    }
  });

  it("warns of every release left pending-install in one assertion, naming each release's address", () => {
    const check = Object.entries((json as { check?: Record<string, { assert: { condition: string; error_message: string }[] }> }).check!).find(
      ([name]) => name.endsWith('helm_releases_installed'),
    )![1];
    expect(check.assert).toHaveLength(1);
    const [{ condition, error_message: message }] = check.assert;
    for (const [address, release] of Object.entries(resources(json, 'helm_release')).filter(([, r]: [string, any]) => r.chart in NAMESPACES) as [
      string,
      any,
    ][]) {
      expect(message).toContain(
        `the release ${release.name} of namespace ${NAMESPACES[release.name]} at revision %d (Terraform address helm_release.${address})`,
      );
    }
    expect(condition.match(/!= "pending-install"/g)).toHaveLength(releasesOf(json).length);
    expect(message).toContain('terraform apply -replace=<that address> uninstalls it and installs it afresh');
    expect(message).not.toContain('helm rollback');
  });

  it('reads after what the chart record reads after (the cluster exists), never after a gate that changes', () => {
    const recorded = Object.values(dataSources(json, 'kubernetes_config_map_v1')).find(
      (d: any) => d.metadata.name === 'rancher-aws-chart-versions',
    ) as any;
    const reads = Object.values(pendingReads(json)) as any[];
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) expect(read.depends_on).toEqual(recorded.depends_on);
  });
});
