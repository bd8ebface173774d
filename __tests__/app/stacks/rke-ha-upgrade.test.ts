import type { SettingsInput } from '../../../app/config/settings-schema';
import { DEFAULT_VERSIONS, PREVIOUS_DEFAULT_VERSIONS, RANCHER_BACKUP_CHARTS, rancherLine } from '../../../lib/config/versions';
import { SYSTEM_UPGRADE_CONTROLLER } from '../../../lib/kubernetes/private/upgrade-plan';
import { KUBERNETES_RECORD, UPGRADE_TARGET_RECORD } from '../../../lib/kubernetes/private/kubernetes-upgrade';
import { VERSION_MANAGEMENT_ENV } from '../../../lib/rancher/chart-values';
import { plannedChange } from '../../helpers/replacement';
import { planProblems } from '../../helpers/suc-plan-schema';
import { resources, userDataOf, type TerraformJson } from '../../helpers/synth';
import { synthSettings, RKE_HA_STACK } from '../../helpers/variants';
import { gate } from '../../helpers/gates';
import { patchAbove, testReleaseSums } from '../../helpers/release-sums';
import { recordedRelease } from '../../../lib/config/release-sums';

/**
 * In-place upgrades, on before/after pairs of synthesized modules: a version
 * bump replaces no server and changes the in-cluster upgrade objects (the
 * gate that applies the Plan and waits, the records, the gates that run again).
 */
const synth = (input: SettingsInput): TerraformJson => synthSettings(RKE_HA_STACK, input).json;
const BASE: SettingsInput = { hostname: 'rancher.example.com', hostedZone: 'example.com' };
const K3S: SettingsInput = { ...BASE, rkeHa: { distribution: 'k3s' } };

/** A gate's release address (without `helm_release.`) and the release with its Job's spec. */
const job = (json: TerraformJson, suffix: string): [string, any] => {
  const g = gate(json, suffix);
  return [g.address, { ...g.release, spec: g.job.spec }];
};
const env = (resource: any): Record<string, string> =>
  Object.fromEntries(
    (resource.spec.template.spec.containers ?? resource.spec.template.spec.container)[0].env.map((e: { name: string; value: string }) => [
      e.name,
      e.value,
    ]),
  );
const configMap = (json: TerraformJson, name: string) =>
  Object.values(resources(json, 'kubernetes_config_map_v1')).find((m: any) => m.metadata.name === name);

const RKE2_NEXT = patchAbove(DEFAULT_VERSIONS.rke2);
const K3S_NEXT = patchAbove(DEFAULT_VERSIONS.k3s);

describe.each([
  // Fictional releases: their sums supplied as an operator would (versions.releaseSums).
  [
    'RKE2',
    BASE,
    { versions: { rke2: RKE2_NEXT, releaseSums: testReleaseSums(RKE2_NEXT) } },
    DEFAULT_VERSIONS.rke2,
    RKE2_NEXT,
    'rancher/rke2-upgrade',
  ],
  ['K3s', K3S, { versions: { k3s: K3S_NEXT, releaseSums: testReleaseSums(K3S_NEXT) } }, DEFAULT_VERSIONS.k3s, K3S_NEXT, 'rancher/k3s-upgrade'],
] as const)('%s: a version bump on a running deployment', (_, base, bump, from, to, image) => {
  const before = synth(base);
  const after = synth({ ...base, ...bump, rkeHa: base.rkeHa });
  const change = plannedChange(before, after);

  it('replaces and destroys no instance, no AWS resource at all', () => {
    expect(change.destroyed).toEqual([]);
    expect(change.replaced.filter((address) => !address.startsWith('kubernetes_') && !address.startsWith('helm_release.'))).toEqual([]);
    // The instances' arguments are the same but for the held user data.
    for (const [name, instance] of Object.entries(resources(after, 'aws_instance'))) {
      const { user_data_base64: _a, ...rest } = instance;
      const { user_data_base64: _b, ...old } = resources(before, 'aws_instance')[name];
      expect(rest).toEqual(old);
      expect(instance.lifecycle.ignore_changes).toContain('user_data_base64');
    }
  });

  it('replaces the releases of the gates that run again (named after what they check), and no other release', () => {
    const replaced = change.replaced.filter((address) => address.startsWith('helm_release.'));
    const names = (json: TerraformJson) =>
      ['kubernetes-upgraded', 'servers-ready', 'ingress-ready', 'certificate-ready'].map((n) => `helm_release.${job(json, n)[0]}`);
    expect(replaced.sort()).toEqual(names(before).sort());
    expect(names(after).sort()).toEqual(names(before).sort()); // same addresses, new release names
    for (const n of ['kubernetes-upgraded', 'servers-ready']) expect(job(after, n)[1].name).not.toBe(job(before, n)[1].name);
  });

  it('changes the upgrade gate (Plan to the new version) and runs the later gates again', () => {
    const [, gateBefore] = job(before, 'kubernetes-upgraded');
    const [, gateAfter] = job(after, 'kubernetes-upgraded');
    expect(env(gateBefore).VERSION).toBe(from);
    expect(env(gateAfter).VERSION).toBe(to);
    const plan = JSON.parse(env(gateAfter).PLAN);
    expect(plan.spec).toMatchObject({ version: to, concurrency: 1, cordon: true, upgrade: { image } });
    // As synthesized (JSON in the gate's environment), the Plan matches the pinned controller's CRD.
    expect(planProblems(plan)).toEqual([]);
    expect(JSON.parse(env(gateBefore).PLAN).spec.version).toBe(from);
    for (const gate of ['servers-ready', 'ingress-ready']) {
      expect(env(job(before, gate)[1]).RERUN_ON).toBe(from);
      expect(env(job(after, gate)[1]).RERUN_ON).toBe(to);
    }
    expect(configMap(after, UPGRADE_TARGET_RECORD)).toMatchObject({ data: { kubernetes: to } });
    expect(configMap(after, KUBERNETES_RECORD)).toMatchObject({ data: { kubernetes: to } });
  });

  it('new servers get the new version from their user data; running ones are not pending for it', () => {
    const instances = Object.values(resources(after, 'aws_instance'));
    for (const [i, instance] of instances.entries()) {
      const old = userDataOf(before, Object.values(resources(before, 'aws_instance'))[i]);
      const now = userDataOf(after, instance);
      expect(now).toContain(to);
      expect(now).not.toContain(from);
      // What the record compares: the user data without the version and its release files' lines (addresses and
      // sums, recorded or not), the same before and after.
      const upgradable = (text: string, version: string) =>
        text
          .replace(/^( *\w+_(INSTALL_URL|INSTALL_SHA256|ARTIFACT_URL|ARTIFACT_SHA256|RELEASE_SUMS_URL))=".*"$/gm, '$1=""')
          .split(version)
          .join('');
      expect(upgradable(now, to)).toBe(upgradable(old, from));
    }
    const record = Object.values(resources(after, 'terraform_data')).find((r: any) =>
      JSON.stringify(r.input ?? '').includes('sha256(replace('),
    ) as any;
    expect(record.lifecycle.ignore_changes).toEqual(['input']);
    expect(record.input).toContain(`"${to}"`);
  });

  it("carries the new release's supplied sum to the servers as a recorded one is carried, and the record takes it out too", () => {
    const supplied = Object.values(bump.versions.releaseSums[to])[0];
    const sumLine = `${image === 'rancher/rke2-upgrade' ? 'RKE2' : 'K3S'}_ARTIFACT_SHA256="${supplied}"`;
    for (const instance of Object.values(resources(after, 'aws_instance'))) expect(userDataOf(after, instance)).toContain(sumLine);
    const record = Object.values(resources(after, 'terraform_data')).find((r: any) =>
      JSON.stringify(r.input ?? '').includes('sha256(replace('),
    ) as any;
    expect(record.input).toContain(`"${supplied}"`);
  });
});

describe('rke-ha: the upgrade controller', () => {
  const json = synth(BASE);

  it('is the pinned release, and Rancher does not bring a second one for its local cluster', () => {
    const [deployment] = Object.values(resources(json, 'kubernetes_deployment_v1')) as any[];
    expect(deployment.spec.template.spec.container[0].image).toBe(`rancher/system-upgrade-controller:${SYSTEM_UPGRADE_CONTROLLER.image.tag}`);
    const [rancher] = Object.values(resources(json, 'helm_release')).filter((r: any) => r.chart === 'rancher') as any[];
    expect(rancher.values[0]).toContain(`"extraEnv" = [{"name" = "${VERSION_MANAGEMENT_ENV}", "value" = "false"}]`);
  });

  it('reads the records after the parameter written once the API first answered, not after the API gate (read while planning whatever else changes)', () => {
    const [parameterName] = Object.entries(resources(json, 'aws_ssm_parameter')).find(([name]) => name.startsWith('cluster-initialized'))!;
    const reads = Object.values(json.data?.kubernetes_config_map_v1 ?? {}) as any[];
    expect(reads.map((r) => r.metadata.name).sort()).toEqual(['rancher-aws-chart-versions', KUBERNETES_RECORD, UPGRADE_TARGET_RECORD].sort());
    for (const read of reads) expect(read.depends_on).toEqual([`aws_ssm_parameter.${parameterName}`]);
    // The servers' own versions, for a deployment older than the records: read under the same condition.
    const nodes = Object.values(json.data?.kubernetes_nodes ?? {}) as any[];
    expect(nodes.map((n) => [n.metadata, n.depends_on])).toEqual([
      [{ labels: { 'node-role.kubernetes.io/control-plane': 'true' } }, [`aws_ssm_parameter.${parameterName}`]],
    ]);
    const [, parameter] = Object.entries(resources(json, 'aws_ssm_parameter')).find(([name]) => name.startsWith('cluster-initialized'))!;
    expect(parameter.value).toBe('true');
    expect(parameter.depends_on).toEqual([expect.stringMatching(/^data\.http\.api-readiness_readyz_/)]);
  });

  it('takes every image from the air-gap registry', () => {
    const airGapped = synth({
      ...BASE,
      airGap: { systemDefaultRegistry: 'registry.internal:5000', installerUrl: 'https://mirror.internal/install.sh' },
    });
    const [deployment] = Object.values(resources(airGapped, 'kubernetes_deployment_v1')) as any[];
    const container = deployment.spec.template.spec.container[0];
    expect(container.image).toBe(`registry.internal:5000/rancher/system-upgrade-controller:${SYSTEM_UPGRADE_CONTROLLER.image.tag}`);
    expect(env({ spec: { template: { spec: { container: [container] } } } }).SYSTEM_UPGRADE_JOB_KUBECTL_IMAGE).toBe(
      `registry.internal:5000/rancher/kubectl:${SYSTEM_UPGRADE_CONTROLLER.kubectlImage.tag}`,
    );
    expect(JSON.parse(env(job(airGapped, 'kubernetes-upgraded')[1]).PLAN).spec.upgrade.image).toBe('registry.internal:5000/rancher/rke2-upgrade');
  });

  it('budgets the upgrade per server and checks the rules before anything is written: on the target record, which the gate waits for', () => {
    const [, gate] = job(json, 'kubernetes-upgraded');
    expect(env(gate).DEADLINE_SECONDS).toBe(String(15 * 60 * 3));
    expect(gate.lifecycle).toBeUndefined();
    expect((configMap(json, UPGRADE_TARGET_RECORD) as any).lifecycle.precondition).toHaveLength(5);
    expect(gate.depends_on.some((d: string) => d.startsWith('kubernetes_config_map_v1.kubernetes-upgrade_target_'))).toBe(true);
    // The charts wait for the upgraded cluster: cert-manager after servers-ready, which waits for the upgrade.
    const [serversReadyName, serversReady] = job(json, 'servers-ready');
    expect(serversReady.depends_on).toContain(`helm_release.${job(json, 'kubernetes-upgraded')[0]}`);
    const [certManager] = Object.values(resources(json, 'helm_release')).filter((r: any) => r.chart === 'cert-manager') as any[];
    expect(certManager.depends_on).toContain(`helm_release.${serversReadyName}`);
  });
});

/**
 * A deployment made with the previous release's defaults (0.4.0: Rancher 2.14.3 on RKE2 v1.35.7+rke2r1 or K3s
 * v1.35.7+k3s1, cert-manager v1.21.1) moved to this release's, in the two applies the plan's order asks for
 * (__tests__/lib/kubernetes/upgrade-rules.tools.test.ts: the new defaults in one apply are refused, naming it):
 * first the charts on the running Kubernetes (versions.rke2 kept), then Kubernetes. Before/after pairs of the same
 * code's synth; __tests__/app/stacks/second-plan.tools.test.ts applies them through Terraform core.
 */
describe.each([
  ['RKE2', BASE, 'rke2'],
  ['K3s', K3S, 'k3s'],
] as const)("%s: from the previous release's defaults to this release's", (_, base, distribution) => {
  const previous = { rancher: PREVIOUS_DEFAULT_VERSIONS.rancher, certManager: PREVIOUS_DEFAULT_VERSIONS.certManager };
  const running = { [distribution]: PREVIOUS_DEFAULT_VERSIONS[distribution] };
  const made = synth({ ...base, versions: { ...previous, ...running } });
  const charts = synth({ ...base, versions: running });
  const now = synth(base);
  const release = (json: TerraformJson, chart: string) => Object.values(resources(json, 'helm_release')).find((r: any) => r.chart === chart) as any;
  const instances = (json: TerraformJson) => Object.keys(resources(json, 'aws_instance'));

  it.each([
    ['the charts on the running Kubernetes', () => [made, charts]],
    ['Kubernetes on the new Rancher', () => [charts, now]],
  ] as const)('%s: no server, no AWS resource replaced or destroyed', (_step, pair) => {
    const [before, after] = pair();
    const change = plannedChange(before, after);
    expect(change.destroyed).toEqual([]);
    expect(change.replaced.filter((address) => !address.startsWith('kubernetes_') && !address.startsWith('helm_release.'))).toEqual([]);
    expect(instances(after)).toEqual(instances(before));
  });

  it("the first apply: cert-manager, Rancher one minor up and the backup operator of its line; the servers' Kubernetes stays", () => {
    expect([release(made, 'rancher').version, release(charts, 'rancher').version]).toEqual([
      PREVIOUS_DEFAULT_VERSIONS.rancher,
      DEFAULT_VERSIONS.rancher,
    ]);
    expect(Number(rancherLine(DEFAULT_VERSIONS.rancher)!.split('.')[1]) - Number(rancherLine(PREVIOUS_DEFAULT_VERSIONS.rancher)!.split('.')[1])).toBe(
      1,
    );
    expect([release(made, 'cert-manager').version, release(charts, 'cert-manager').version]).toEqual([
      PREVIOUS_DEFAULT_VERSIONS.certManager,
      DEFAULT_VERSIONS.certManager,
    ]);
    for (const chart of ['rancher-backup-crd', 'rancher-backup'])
      expect([release(made, chart).version, release(charts, chart).version]).toEqual([
        RANCHER_BACKUP_CHARTS[rancherLine(PREVIOUS_DEFAULT_VERSIONS.rancher)!].version,
        RANCHER_BACKUP_CHARTS[rancherLine(DEFAULT_VERSIONS.rancher)!].version,
      ]);
    expect(env(job(charts, 'kubernetes-upgraded')[1]).VERSION).toBe(PREVIOUS_DEFAULT_VERSIONS[distribution]);
    expect(configMap(charts, UPGRADE_TARGET_RECORD)).toMatchObject({ data: { kubernetes: PREVIOUS_DEFAULT_VERSIONS[distribution] } });
  });

  it('the second apply: the servers upgraded in place one at a time by the Plan; no chart changes', () => {
    const [, gate] = job(now, 'kubernetes-upgraded');
    expect(env(gate).VERSION).toBe(DEFAULT_VERSIONS[distribution]);
    expect(JSON.parse(env(gate).PLAN).spec).toMatchObject({ version: DEFAULT_VERSIONS[distribution], concurrency: 1, cordon: true });
    for (const chart of ['rancher', 'cert-manager', 'rancher-backup-crd', 'rancher-backup'])
      expect(release(now, chart).version).toBe(release(charts, chart).version);
    // Running servers keep their user data (held): none is pending replacement for the version alone.
    for (const instance of Object.values(resources(now, 'aws_instance'))) expect(instance.lifecycle.ignore_changes).toContain('user_data_base64');
  });

  it("the ingress: Traefik stays Traefik (0.4's default for RKE2, and K3s'), Rancher's ingress class unchanged through both applies", () => {
    const ingressClass = (json: TerraformJson) => /"ingressClassName" = "(\w+)"/.exec(release(json, 'rancher').values[0])?.[1];
    expect([ingressClass(made), ingressClass(charts), ingressClass(now)]).toEqual(['traefik', 'traefik', 'traefik']);
  });
});

/**
 * K3s' default moved within its line, v1.36.3+k3s1 → v1.36.5+k3s1 (issue 92, item 7): a deployment that ran the earlier
 * patch, by the earlier default or named in its settings, upgrades in place on its next apply.
 */
describe('K3s: from v1.36.3+k3s1, the default before, to the default', () => {
  const FROM = 'v1.36.3+k3s1';
  const before = synth({ ...K3S, versions: { k3s: FROM } });
  const after = synth(K3S);
  const change = plannedChange(before, after);

  it('is a later patch of the same line', () => {
    expect(DEFAULT_VERSIONS.k3s).not.toBe(FROM);
    expect(DEFAULT_VERSIONS.k3s.split('.').slice(0, 2)).toEqual(FROM.split('.').slice(0, 2));
  });

  it('replaces and destroys no instance, no AWS resource at all; the Plan takes the servers to the default one at a time', () => {
    expect(change.destroyed).toEqual([]);
    expect(change.replaced.filter((address) => !address.startsWith('kubernetes_') && !address.startsWith('helm_release.'))).toEqual([]);
    expect(Object.keys(resources(after, 'aws_instance'))).toEqual(Object.keys(resources(before, 'aws_instance')));
    const [, gate] = job(after, 'kubernetes-upgraded');
    expect(env(job(before, 'kubernetes-upgraded')[1]).VERSION).toBe(FROM);
    expect(JSON.parse(env(gate).PLAN).spec).toMatchObject({
      version: DEFAULT_VERSIONS.k3s,
      concurrency: 1,
      cordon: true,
      upgrade: { image: 'rancher/k3s-upgrade' },
    });
    for (const instance of Object.values(resources(after, 'aws_instance'))) {
      expect(instance.lifecycle.ignore_changes).toContain('user_data_base64');
      expect(userDataOf(after, instance)).toContain(`K3S_ARTIFACT_SHA256="${recordedRelease('k3s', DEFAULT_VERSIONS.k3s)!.artifacts.amd64!.sha256}"`);
    }
  });
});
