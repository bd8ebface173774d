import type { GuardCondition } from '../../../lib/common/deployment-guard';
import {
  certManagerUpgradeRules,
  kubernetesUpgradeRules,
  rancherUpgradeRules,
  versionOrder,
  versionOrderExpression,
} from '../../../lib/kubernetes/private/upgrade-rules';
import { kubeletVersions, lowestVersion } from '../../../lib/kubernetes/private/node-versions';
import { describeWithTerraform, evaluateEach, expressionOf } from '../../helpers/terraform';
import { DEFAULT_VERSIONS, PREVIOUS_DEFAULT_VERSIONS, rancherLine, rke2KubernetesMinor } from '../../../lib/config/versions';

/** An HCL string literal: what the version records read as at plan time. */
const lit = (value: string) => JSON.stringify(value);

/** The messages of the rules that fail, evaluated by terraform (conditions first, messages only where one fails). */
function failing(rules: GuardCondition[]): string[] {
  const held = evaluateEach(rules.map((r) => expressionOf(r.condition)));
  const failed = rules.filter((_, i) => held[i] !== true);
  // A heredoc: the messages' interpolations carry quotes of their own, as Terraform reads them from the JSON.
  return evaluateEach(failed.map((r) => `trimspace(<<EOT\n${r.errorMessage}\nEOT\n)`)) as string[];
}

const k8s = (version: string, running: string, target = running, rancher = '2.14.3') =>
  failing(kubernetesUpgradeRules({ setting: 'versions.rke2', version, running: lit(running), target: lit(target), rancherRunning: lit(rancher) }));

describeWithTerraform('upgrade rules, evaluated by terraform', () => {
  it('computes the same order at plan time as at synth time', () => {
    const versions = ['v1.35.7+rke2r1', 'v1.35.10+rke2r2', 'v1.36.0+k3s1'];
    expect(evaluateEach(versions.map((v) => versionOrderExpression('kubernetes', lit(v))))).toEqual(
      versions.map((v) => versionOrder('kubernetes', v)),
    );
  });

  it('lets a patch, the next minor, an unchanged version and a deployment without a record through', () => {
    expect(k8s('v1.35.9+rke2r1', 'v1.35.7+rke2r1')).toEqual([]);
    expect(k8s('v1.35.7+rke2r1', 'v1.34.5+rke2r1')).toEqual([]);
    expect(k8s('v1.35.7+rke2r1', 'v1.35.7+rke2r1')).toEqual([]);
    expect(k8s('v1.35.7+rke2r1', '', '', '')).toEqual([]);
  });

  it('without a record, takes the lowest version the servers report as running, and refuses a new version while they differ', () => {
    /** `data.kubernetes_nodes.nodes` as provider 2.38 sets it (only the fields read). */
    const nodes = (...versions: string[]) => JSON.stringify(versions.map((v) => ({ status: [{ node_info: [{ kubelet_version: v }] }] })));
    const rules = (version: string, ...reported: string[]) => {
      const list = kubeletVersions(nodes(...reported));
      const recorded = '""';
      return failing(
        kubernetesUpgradeRules({
          setting: 'versions.rke2',
          version,
          running: `(${recorded} != "" ? ${recorded} : ${lowestVersion(list)})`,
          target: '""',
          rancherRunning: lit('2.14.3'),
          nodeVersions: list,
        }),
      );
    };
    expect(
      evaluateEach([
        lowestVersion(kubeletVersions(nodes('v1.35.9+rke2r1', 'v1.35.10+rke2r1', 'v1.35.9+rke2r1'))),
        lowestVersion('[]'),
        kubeletVersions('null'),
      ]),
    ).toEqual(['v1.35.9+rke2r1', '', []]);
    expect(rules('v1.35.9+rke2r1', 'v1.35.7+rke2r1', 'v1.35.7+rke2r1', 'v1.35.7+rke2r1')).toEqual([]);
    expect(rules('v1.35.7+rke2r1', 'v1.35.9+rke2r1', 'v1.35.9+rke2r1', 'v1.35.9+rke2r1')[0]).toContain(
      'but the servers run "v1.35.9+rke2r1": Kubernetes is not downgraded in place',
    );
    expect(rules('v1.36.1+rke2r1', 'v1.34.5+rke2r1', 'v1.34.5+rke2r1', 'v1.34.5+rke2r1')[0]).toContain('one Kubernetes minor at a time');
    // Half upgraded: only the newest (the upgrade under way) may be applied; the lowest counts as running.
    expect(rules('v1.35.9+rke2r1', 'v1.35.7+rke2r1', 'v1.35.9+rke2r1', 'v1.35.7+rke2r1')).toEqual([]);
    expect(rules('v1.35.10+rke2r1', 'v1.35.7+rke2r1', 'v1.35.9+rke2r1', 'v1.35.7+rke2r1')).toEqual([
      'versions.rke2 is "v1.35.10+rke2r1", but the servers run different versions (v1.35.7+rke2r1, v1.35.9+rke2r1): an upgrade is under way. ' +
        'Apply with versions.rke2 set to the newest of them to finish it, then change the version.',
    ]);
    expect(rules('v1.35.7+rke2r1', 'v1.35.7+rke2r1', 'v1.35.9+rke2r1')).toHaveLength(1);
    // Nothing read (a first apply's plan has no nodes yet): nothing to refuse.
    expect(rules('v1.35.7+rke2r1')).toEqual([]);
  });

  it('refuses a downgrade, naming both versions', () => {
    expect(k8s('v1.35.7+rke2r1', 'v1.35.9+rke2r1')).toEqual([
      'versions.rke2 is "v1.35.7+rke2r1", but the servers run "v1.35.9+rke2r1": Kubernetes is not downgraded in place. ' +
        'Set the running version back; going back needs a restore of an etcd snapshot taken before the upgrade (docs/day-2.md, "Upgrading").',
    ]);
    expect(k8s('v1.35.7+rke2r1', 'v1.35.7+rke2r2')[0]).toContain('is not downgraded in place');
  });

  it('refuses skipping a minor', () => {
    expect(k8s('v1.35.7+rke2r1', 'v1.33.9+rke2r1')).toEqual([
      'versions.rke2 is "v1.35.7+rke2r1", but the servers run "v1.33.9+rke2r1": one Kubernetes minor at a time. Upgrade to the newest 1.34 release first, apply, then to "v1.35.7+rke2r1".',
    ]);
  });

  it('refuses a new target while an earlier upgrade has not finished, and lets the same one be finished', () => {
    expect(k8s('v1.35.9+rke2r1', 'v1.35.7+rke2r1', 'v1.35.8+rke2r1')).toEqual([
      'versions.rke2 is "v1.35.9+rke2r1", but the upgrade to "v1.35.8+rke2r1" has not finished (the servers were last recorded at "v1.35.7+rke2r1"). ' +
        'Apply with versions.rke2 "v1.35.8+rke2r1" to finish it (its gate names the node that did not come back), then change the version.',
    ]);
    expect(k8s('v1.35.8+rke2r1', 'v1.35.7+rke2r1', 'v1.35.8+rke2r1')).toEqual([]);
  });

  it('refuses a Kubernetes minor the running Rancher does not accept (Rancher goes first)', () => {
    expect(k8s('v1.35.2+rke2r1', 'v1.34.5+rke2r1', 'v1.34.5+rke2r1', '2.13.3')).toEqual([
      'versions.rke2 is "v1.35.2+rke2r1" (Kubernetes 1.35), which the running Rancher "2.13.3" does not support. ' +
        'Kubernetes is upgraded before the charts, so Rancher goes first: apply once with versions.rke2 "v1.34.5+rke2r1" (what the servers run) ' +
        'and versions.rancher at a 2.14 or 2.15 release (one minor above the running Rancher at most), then with versions.rke2 "v1.35.2+rke2r1".',
    ]);
  });

  it("the previous release's defaults changed to this release's in one apply: refused, with the order (Rancher, then Kubernetes)", () => {
    const from = PREVIOUS_DEFAULT_VERSIONS;
    const to = DEFAULT_VERSIONS;
    expect(k8s(to.rke2, from.rke2, from.rke2, from.rancher)).toEqual([
      `versions.rke2 is "${to.rke2}" (Kubernetes 1.${rke2KubernetesMinor(to.rke2)}), which the running Rancher "${from.rancher}" does not support. ` +
        `Kubernetes is upgraded before the charts, so Rancher goes first: apply once with versions.rke2 "${from.rke2}" (what the servers run) ` +
        `and versions.rancher at a ${rancherLine(to.rancher)} release (one minor above the running Rancher at most), then with versions.rke2 "${to.rke2}".`,
    ]);
    // The first step: Rancher one minor up on the running Kubernetes; then the second: Kubernetes on the new Rancher.
    expect(failing(rancherUpgradeRules({ version: to.rancher, running: lit(from.rancher) }))).toEqual([]);
    expect(k8s(to.rke2, from.rke2, from.rke2, to.rancher)).toEqual([]);
    expect(k8s(to.k3s, from.k3s, from.k3s, to.rancher)).toEqual([]);
  });

  it('Rancher: one minor at a time, never down', () => {
    const rancher = (version: string, running: string) => failing(rancherUpgradeRules({ version, running: lit(running) }));
    expect(rancher('2.14.3', '2.13.3')).toEqual([]);
    expect(rancher('2.14.3', '2.14.1')).toEqual([]);
    expect(rancher('2.14.3', '')).toEqual([]);
    expect(rancher('2.14.3', '2.12.3')).toEqual([
      'versions.rancher is "2.14.3", but Rancher "2.12.3" runs: Rancher is upgraded one minor at a time. Apply the newest 2.13 release first.',
    ]);
    expect(rancher('2.14.1', '2.14.3')).toEqual([
      'versions.rancher is "2.14.1", but Rancher "2.14.3" runs: Rancher is not downgraded (a downgrade is a restore of a backup taken before the upgrade).',
    ]);
  });

  it('cert-manager: never down', () => {
    const certManager = (version: string, running: string) => failing(certManagerUpgradeRules({ version, running: lit(running) }));
    expect(certManager('v1.21.1', 'v1.20.2')).toEqual([]);
    expect(certManager('v1.20.2', 'v1.21.1')).toEqual([
      'versions.certManager is "v1.20.2", but cert-manager "v1.21.1" runs: cert-manager is not downgraded.',
    ]);
  });
});
