import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubernetesUpgradeRules } from '../../../lib/kubernetes/private/upgrade-rules';
import { describeWithTerraform, terraformIn, terraformOk } from '../../helpers/terraform';

/**
 * The upgrade records under terraform 1.11 itself (review finding 3): a model
 * of the stack's records built from Terraform's own resources (no provider to
 * download). `terraform_remote_state` over a local file stands in for a
 * record's `kubernetes_config_map_v1` data source (like it, it fails when there
 * is nothing to read: no cluster yet), a `terraform_data` whose provisioner
 * writes that file for the ConfigMap, `terraform_data.instances` for
 * everything the API gate waits for (its provisioner brings the "cluster" up:
 * empty record files), `data.terraform_remote_state.readyz` for the API gate
 * (a data source with a postcondition, like `data.http`), and
 * `terraform_data.cluster_initialized` for the SSM parameter written once the
 * API first answered. The rules are the real `kubernetesUpgradeRules`.
 * `kubernetes-upgrade.test.ts` and the stack tests check that the synthesized
 * stack has the same shape (where the rules sit, what the reads depend on).
 */
const V1 = 'v1.35.7+rke2r1';
const DOWNGRADE = 'v1.34.9+rke2r1';
const EMPTY_STATE = '{"version":4,"serial":1,"lineage":"l","outputs":{},"resources":[]}';

interface Layout {
  /** Where the rules sit: the upgrade gate (before) or the target record (now). */
  readonly rulesOn: 'gate' | 'target';
  /** What the record reads depend on: the API gate data source (before) or the parameter written once (now). */
  readonly readAfter: 'readyz' | 'cluster_initialized';
}

/** The module as synthesized for `version` (the rules are built for the literal version, as in the stack). */
function model(layout: Layout, version: string): object {
  const recorded = (name: string) => `try(data.terraform_remote_state.${name}.outputs.kubernetes, "")`;
  const rules = kubernetesUpgradeRules({
    setting: 'versions.rke2',
    version,
    running: recorded('running'),
    target: recorded('target'),
    rancherRunning: 'try(data.terraform_remote_state.running.outputs.rancher, "")',
  });
  const rulesLifecycle = { precondition: rules.map((r) => ({ condition: r.condition, error_message: r.errorMessage })) };
  const stateFile = (name: string) =>
    `printf '{"version":4,"serial":1,"lineage":"l","outputs":{"kubernetes":{"value":"%s","type":"string"}},"resources":[]}' "\${self.triggers_replace}" >${name}.tfstate`;
  const read = (name: string) => ({
    backend: 'local',
    config: { path: `\${path.module}/${name}.tfstate` },
    defaults: { kubernetes: '' },
    depends_on: [layout.readAfter === 'readyz' ? 'data.terraform_remote_state.readyz' : 'terraform_data.cluster_initialized'],
  });
  // Replaced with the version, so the provisioner (which runs on create only) writes each new value.
  const write = (name: string, dependsOn: string[], lifecycle?: object) => ({
    triggers_replace: version,
    provisioner: [{ 'local-exec': { command: stateFile(name) } }],
    depends_on: dependsOn,
    ...(lifecycle ? { lifecycle } : {}),
  });
  return {
    variable: { admin: { type: 'string' }, marker: { type: 'string' } },
    data: {
      terraform_remote_state: {
        readyz: {
          backend: 'local',
          config: { path: '${path.module}/empty.tfstate' },
          depends_on: ['terraform_data.instances'],
          lifecycle: { postcondition: [{ condition: '${self.outputs != null}', error_message: 'not ready' }] },
        },
        target: read('target'),
        running: read('running'),
      },
    },
    resource: {
      terraform_data: {
        instances: {
          input: '${var.admin}',
          provisioner: [
            { 'local-exec': { command: ['empty', 'target', 'running'].map((f) => `printf '%s' '${EMPTY_STATE}' >${f}.tfstate`).join('; ') } },
          ],
        },
        // Stands in for the parameter: constant in the stack; `marker` changes it to force the reads to the apply.
        cluster_initialized: { input: '${var.marker}', depends_on: ['data.terraform_remote_state.readyz'] },
        target: write(
          'target',
          ['data.terraform_remote_state.readyz', 'data.terraform_remote_state.target'],
          layout.rulesOn === 'target' ? rulesLifecycle : undefined,
        ),
        gate: { input: version, depends_on: ['terraform_data.target'], ...(layout.rulesOn === 'gate' ? { lifecycle: rulesLifecycle } : {}) },
        running: write('running', ['terraform_data.gate', 'data.terraform_remote_state.running']),
      },
    },
  };
}

/** A scratch module: `synth` writes it for a version; `apply`/`plan` run terraform 1.11 on it. */
function workspace(layout: Layout) {
  const dir = mkdtempSync(join(tmpdir(), 'rancher-records-'));
  const synth = (version: string) => writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(model(layout, version)));
  synth(V1);
  terraformOk(dir, 'init', '-input=false', '-backend=false');
  const run = (command: string, version: string, admin: string, marker: string) => {
    synth(version);
    const result = terraformIn(
      dir,
      command,
      ...(command === 'apply' ? ['-auto-approve'] : []),
      '-input=false',
      '-lock=false',
      `-var=admin=${admin}`,
      `-var=marker=${marker}`,
    );
    return { status: result.status, output: result.output.replace(/\s+/g, ' ') };
  };
  return {
    plan: (version: string, admin: string, marker = 'm1') => run('plan', version, admin, marker),
    apply: (version: string, admin: string, marker = 'm1') => run('apply', version, admin, marker),
    /** The target record as the "cluster" holds it. */
    target: () =>
      existsSync(join(dir, 'target.tfstate'))
        ? ((JSON.parse(readFileSync(join(dir, 'target.tfstate'), 'utf8')).outputs.kubernetes?.value as string | undefined) ?? '')
        : 'no cluster',
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const NOT_FINISHED = `but the upgrade to "${DOWNGRADE}" has not finished`;
const NOT_DOWNGRADED = 'Kubernetes is not downgraded in place';

describeWithTerraform('the upgrade records under terraform 1.11 (review finding 3)', () => {
  let w: ReturnType<typeof workspace>;
  afterEach(() => w.dispose());

  it('before: reads depending on the API gate data source are read while planning even on a first apply (a deferred data source defers nothing after it), so the first plan fails on the missing cluster', () => {
    w = workspace({ rulesOn: 'gate', readAfter: 'readyz' });
    const first = w.plan(V1, 'a');
    expect(first.status).toBe(1);
    expect(first.output).toContain('data.terraform_remote_state.readyz will be read during apply');
    expect(first.output).toContain('Unable to find remote state');
  });

  it('now: reads depending on the parameter written once wait for it on a first apply; later plans read them while planning whatever else changes, and refuse', () => {
    w = workspace({ rulesOn: 'target', readAfter: 'cluster_initialized' });
    const first = w.apply(V1, 'a');
    expect(first.status).toBe(0);
    expect(w.target()).toBe(V1);
    // An unrelated pending change (admin networks) defers the API gate, not the records.
    const refused = w.plan(DOWNGRADE, 'b');
    expect(refused.status).toBe(1);
    expect(refused.output).toContain('data.terraform_remote_state.readyz will be read during apply');
    expect(refused.output).toContain(NOT_DOWNGRADED);
    expect(w.plan(V1, 'b').status).toBe(0);
  });

  it('before: rules on the gate with the reads deferred to the apply: the refused version is written as the target first, and every later plan is stuck', () => {
    w = workspace({ rulesOn: 'gate', readAfter: 'cluster_initialized' });
    expect(w.apply(V1, 'a').status).toBe(0);
    expect(w.plan(DOWNGRADE, 'a', 'm2').status).toBe(0);
    const refused = w.apply(DOWNGRADE, 'a', 'm2');
    expect(refused.status).toBe(1);
    expect(refused.output).toContain(NOT_DOWNGRADED);
    expect(w.target()).toBe(DOWNGRADE);
    const back = w.plan(V1, 'a', 'm2');
    expect(back.status).toBe(1);
    expect(back.output).toContain(NOT_FINISHED);
  });

  it('now: rules on the target record with the reads deferred to the apply: refused before anything is written, and the running version applies again', () => {
    w = workspace({ rulesOn: 'target', readAfter: 'cluster_initialized' });
    expect(w.apply(V1, 'a').status).toBe(0);
    expect(w.plan(DOWNGRADE, 'a', 'm2').status).toBe(0);
    const refused = w.apply(DOWNGRADE, 'a', 'm2');
    expect(refused.status).toBe(1);
    expect(refused.output).toContain(NOT_DOWNGRADED);
    expect(w.target()).toBe(V1);
    expect(w.apply(V1, 'a', 'm2').status).toBe(0);
  });
});
