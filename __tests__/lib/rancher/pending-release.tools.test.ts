import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataSources, resources, type TerraformJson } from '../../helpers/synth';
import { describeWithTerraform, terraformIn, terraformOk } from '../../helpers/terraform';
import { RKE_HA_STACK, synthSettings } from '../../helpers/variants';

/**
 * The plan of the synthesized Rancher release's pending-release precondition, through Terraform core (offline), against
 * a stand-in cluster: the release becomes a `terraform_data` carrying the precondition as synthesized, and each of its
 * two `kubernetes_resources` reads a `terraform_remote_state` whose state file is chosen by the read's label selector
 * as Terraform evaluates it (`sha256` of it), so the second read's selector, computed from the first read's answer, is
 * answered as the API server would answer it.
 *
 * The stand-in models the API server's List of Secrets with a label selector (the kubernetes provider 2.38.0
 * `manifest/provider/datasource.go` passes `label_selector` to the dynamic client's List and returns the items as
 * `objects`), for the selector forms the guard writes (`key=value` and `key in (a,b)` terms, joined by commas), and
 * Helm 3's release records: one Secret `sh.helm.release.v1.<name>.v<revision>` of type `helm.sh/release.v1` per
 * revision, labelled `owner=helm`, `name`, `status`, `version` (helm v3.18.4 `pkg/storage/driver/secrets.go`,
 * newSecretsObject). A first apply's read, deferred to the apply, is Terraform's doing and is not shown here.
 */
interface Revision {
  readonly version: number;
  readonly status: string;
}

const secret = (release: string, namespace: string, { version, status }: Revision) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'helm.sh/release.v1',
  metadata: {
    name: `sh.helm.release.v1.${release}.v${version}`,
    namespace,
    labels: { owner: 'helm', name: release, status, version: String(version) },
  },
});

/** Whether labels match a selector of `key=value` and `key in (a,b)` terms (Kubernetes' label selector syntax). */
function matches(selector: string, labels: Record<string, string>): boolean {
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return terms.every((term) => {
    const set = /^\s*([^\s=]+)\s+in\s+\(([^)]*)\)\s*$/.exec(term);
    if (set)
      return set[2]
        .split(',')
        .map((v) => v.trim())
        .includes(labels[set[1]]);
    const [key, value] = term.split('=');
    return labels[key.trim()] === value.trim();
  });
}

/** The cty type of a JSON value, as a state file records an output's. */
const ctyType = (value: unknown): unknown =>
  typeof value === 'string'
    ? 'string'
    : Array.isArray(value)
      ? ['tuple', value.map(ctyType)]
      : ['object', Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, ctyType(v)]))];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const state = (objects: unknown[]) => ({
  version: 4,
  terraform_version: '1.11.4',
  serial: 1,
  lineage: 'stand-in',
  outputs: { objects: { value: objects, type: ctyType(objects) } },
  resources: [],
});

describeWithTerraform('a Rancher release Helm left pending stops the plan (terraform plan against a stand-in cluster)', () => {
  let json: TerraformJson;
  let dir: string;
  /** Every read's selector, the other releases' too (their records: none). */
  let allSelectors: string[];
  beforeAll(() => {
    json = synthSettings(RKE_HA_STACK, { hostname: 'rancher.example.com', hostedZone: 'example.com' }).json;
    const release = Object.values(resources(json, 'helm_release')).find((r: any) => r.name === 'rancher') as any;
    const guard = release.lifecycle.precondition.at(-1) as { condition: string; error_message: string };
    // Every release's pending-install warning, one assertion (the others' reads find nothing: no file, no objects).
    const check = Object.entries(
      (json as { check?: unknown }).check as Record<string, { assert: { condition: string; error_message: string }[] }>,
    ).find(([name]) => name.endsWith('helm_releases_installed'))![1].assert[0];
    const reads = dataSources(json, 'kubernetes_resources');
    const readsOf = (text: string) => [...text.matchAll(/data\.kubernetes_resources\.([A-Za-z0-9_-]+)\./g)].map((m) => m[1]);
    const names = [...new Set(readsOf(guard.condition))];
    const rewrite = (text: string) =>
      text.replace(/data\.kubernetes_resources\.([A-Za-z0-9_-]+)\.objects/g, 'data.terraform_remote_state.$1.outputs.objects');
    const remote = (selector: string) => ({ backend: 'local', config: { path: `stand-ins/\${sha256("${rewrite(selector)}")}.tfstate` } });
    const allReads = [...new Set(readsOf(check.condition))];
    expect(allReads).toEqual(expect.arrayContaining(names));
    allSelectors = allReads.map((n) => reads[n].label_selector);
    dir = mkdtempSync(join(tmpdir(), 'pending-release-'));
    mkdirSync(join(dir, 'stand-ins'));
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({
        data: { terraform_remote_state: Object.fromEntries(allReads.map((n) => [n, remote(reads[n].label_selector)])) },
        check: { installed: { assert: [{ condition: rewrite(check.condition), error_message: rewrite(check.error_message) }] } },
        resource: {
          terraform_data: {
            rancher: {
              input: 'upgrade',
              lifecycle: { precondition: [{ condition: rewrite(guard.condition), error_message: rewrite(guard.error_message) }] },
            },
          },
        },
      }),
    );
    terraformOk(dir, 'init', '-input=false');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The plan with the cluster holding `revisions` of Rancher's release: the error details it reports. */
  const plan = (revisions: Revision[]) => {
    const objects = revisions.map((r) => secret('rancher', 'cattle-system', r));
    const answer = (selector: string) =>
      writeFileSync(
        join(dir, 'stand-ins', `${sha256(selector)}.tfstate`),
        JSON.stringify(state(objects.filter((o) => matches(selector, o.metadata.labels)))),
      );
    // The second read asks for one revision by number: every number it could ask for is answered.
    for (const selector of allSelectors)
      if (!/\$\{/.test(selector)) answer(selector);
      else for (let version = 0; version <= revisions.length + 1; version++) answer(selector.replace(/\$\{.*\}$/, String(version)));
    const result = terraformIn(dir, 'plan', '-input=false', '-json');
    const diagnostics = (severity: string) =>
      result.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
        .filter((m) => m.type === 'diagnostic' && m.diagnostic.severity === severity)
        .map((m) => `${m.diagnostic.summary}: ${m.diagnostic.detail}`);
    return { status: result.status, errors: diagnostics('error'), warnings: diagnostics('warning') };
  };

  it('stops at a pending-upgrade newest revision, with the state, the cause and the commands that clear it', () => {
    const { status, errors } = plan([
      { version: 1, status: 'superseded' },
      { version: 2, status: 'deployed' },
      { version: 3, status: 'pending-upgrade' },
    ]);
    expect(status).toBe(1);
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error).toMatch(/^Resource precondition failed: The Helm release "rancher" in namespace cattle-system is pending-upgrade at revision 3: /);
    expect(error).toContain('Secret sh.helm.release.v1.rancher.v3, failed: rancher/rancher#53134');
    expect(error).toContain('"another operation (install/upgrade/rollback) is in progress"');
    expect(error).toContain('helm history rancher -n cattle-system names it, normally 2): helm rollback rancher <revision> -n cattle-system;');
    expect(error).toContain('kubectl -n cattle-system delete secret sh.helm.release.v1.rancher.v3');
  });

  // A first install left pending-install has no revision to roll back to (helm v3.18.4 rollback.go: "release has no 0
  // version"); its replacement (helm uninstall, then install) clears it, so the plan goes on and a warning names it.
  it('lets a pending-install through, since its replacement clears it, warning with the replacement and no rollback', () => {
    const { status, errors, warnings } = plan([{ version: 1, status: 'pending-install' }]);
    expect({ status, errors }).toEqual({ status: 0, errors: [] });
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning).toMatch(
      /^Check block assertion failed: Helm left pending-install the release rancher of namespace cattle-system at revision 1 \(Terraform address helm_release\.rancher_release_[0-9A-F]+\): /,
    );
    expect(warning).toContain('terraform apply -replace=<that address> uninstalls it and installs it afresh');
    expect(warning).toContain('helm uninstall <release> -n <namespace>');
    expect(warning).not.toMatch(/rollback (rancher|<)/);
  });

  it('stops at pending-rollback too, without the pending-install warning', () => {
    expect(
      plan([
        { version: 1, status: 'deployed' },
        { version: 2, status: 'failed' },
        { version: 3, status: 'pending-rollback' },
      ]).errors[0],
    ).toContain('is pending-rollback at revision 3:');
    expect(
      plan([
        { version: 1, status: 'deployed' },
        { version: 2, status: 'pending-upgrade' },
      ]).warnings,
    ).toEqual([]);
  });

  it('goes ahead once a later revision follows the pending one (helm rollback leaves the old record pending), and with none pending', () => {
    const rolledBack = plan([
      { version: 1, status: 'superseded' },
      { version: 2, status: 'superseded' },
      { version: 3, status: 'pending-upgrade' },
      { version: 4, status: 'deployed' },
    ]);
    expect(rolledBack).toEqual({ status: 0, errors: [], warnings: [] });
    expect(plan([{ version: 1, status: 'deployed' }])).toEqual({ status: 0, errors: [], warnings: [] });
    expect(
      plan([
        { version: 1, status: 'superseded' },
        { version: 2, status: 'failed' },
      ]),
    ).toEqual({ status: 0, errors: [], warnings: [] });
    // A pending-install superseded by an install after it (helm uninstall --keep-history, then install) is over too.
    expect(
      plan([
        { version: 1, status: 'pending-install' },
        { version: 2, status: 'deployed' },
      ]),
    ).toEqual({ status: 0, errors: [], warnings: [] });
  });
});
