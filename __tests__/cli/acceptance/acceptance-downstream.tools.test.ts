import { DOWNSTREAM_K3S } from '../../../cli/acceptance/acceptance-downstream';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCEPTANCE_PHASES } from '../../../cli/acceptance/acceptance-report';
import { acceptanceSettings } from '../../../cli/acceptance/acceptance-settings';
import { acceptanceRancher, PASSWORD, type Rancher, TOKEN } from '../../helpers/acceptance-rancher';
import { awsOf, FakeCloud, stateOf, worldKubeconfig } from '../../helpers/fake-cloud';
import { fakeCluster, serverInstances } from '../../helpers/roll-world';
import { synthSettings } from '../../helpers/variants';
import { reportOf, runDir, statuses } from '../../helpers/acceptance-run';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { said } from '../../helpers/plain-output';
import { acceptInProcess } from '../../helpers/acceptance-in-process';

// The CLI's teardown reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// The acceptance run's downstream cluster against the fake cloud (fake-acceptance.js: the downstream module's
// terraform, SSM to its instance) and the local Rancher of acceptance-rancher.ts (the v3 import flow, and the
// cluster's Connected and Ready conditions as its agent's tunnel makes them). The docker stack: one synth for the
// file, the fewest stub calls around the phase (--only downstream); one rke-ha synth for the agent that loses its CA
// in the upgrade. The reconnects after the upgrade, the roll of every server and the drill are the passing rke-ha
// run's (acceptance.tools).

const REGION = 'eu-west-1';
const PLACEHOLDER = 'zzzzzz';
const SYNTH = join(__dirname, '..', '..', 'helpers', 'ops-stubs', 'fake-acceptance-synth.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS stub of this repository, without types
const { ACCEPTANCE_PHASE_ORDER, DOWNSTREAM_INSTANCE } = require('../../helpers/ops-stubs/fake-acceptance.js') as {
  ACCEPTANCE_PHASE_ORDER: string[];
  DOWNSTREAM_INSTANCE: string;
};
const JSON_OF: Record<string, any> = {
  docker: synthSettings(
    'docker',
    acceptanceSettings({}, { name: `acc-${PLACEHOLDER}`, runId: PLACEHOLDER, region: REGION, stack: 'docker' }) as never,
  ).json,
  'rke-ha': synthSettings('rke-ha', acceptanceSettings({}, { name: `acc-${PLACEHOLDER}`, runId: PLACEHOLDER, region: REGION }) as never).json,
};

const worlds: { c: FakeCloud; r: Rancher }[] = [];
afterEach(async () => {
  for (const { c, r } of worlds.splice(0)) {
    expect(c.violations()).toBe('');
    c.remove();
    await new Promise((done) => r.server.close(done));
  }
});

async function world(change?: (w: any) => void, stack = 'docker'): Promise<{ c: FakeCloud; r: Rancher }> {
  const r = await acceptanceRancher();
  const json = JSON_OF[stack];
  const applyState = stateOf(json);
  for (const x of applyState.resources)
    for (const [k, v] of Object.entries(x.instances[0].attributes)) if (JSON.stringify(v).length > 2000) x.instances[0].attributes[k] = '(long)';
  Object.assign(applyState.outputs, {
    rancher_url: { value: r.url },
    rancher_admin_password: { value: PASSWORD, sensitive: true },
    ...(stack === 'docker'
      ? { instance_id: { value: 'i-server' } }
      : {
          kubeconfig: { value: 'apiVersion: v1\nkind: Config\n', sensitive: true },
          servers_pending_replacement: { value: { 'server-0': [], 'server-1': [], 'server-2': [] } },
        }),
  });
  const c = new FakeCloud(json, {
    state: { version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'acceptance', outputs: {}, resources: [] },
    aws: { lbs: {}, dbs: {}, buckets: {}, keys: {}, logGroups: {}, volumes: {}, finalDbSnapshots: [] },
    ...(stack === 'rke-ha' ? { roll: true, cluster: fakeCluster(serverInstances(applyState), false) } : {}),
    acceptance: { applyState, applyAws: awsOf(applyState), events: [] },
  });
  r.dir = c.dir;
  // rke-ha's kubeconfig, once applied, names the world's Kubernetes API (Rancher's CA, the probes, the roll's Leases).
  if (stack === 'rke-ha') c.update((w) => (w.acceptance.applyState.outputs.kubeconfig.value = worldKubeconfig(c.dir)));
  if (change) c.update(change);
  copyFileSync(join(c.dir, 'module', 'cdk.tf.json'), join(c.dir, `acceptance.${stack}.cdk.tf.json`));
  mkdirSync(join(c.dir, 'docs'));
  copyFileSync(join(__dirname, '..', '..', '..', 'docs', 'deployer-policy.json'), join(c.dir, 'docs', 'deployer-policy.json'));
  copyFileSync(join(__dirname, '..', '..', '..', 'package.json'), join(c.dir, 'package.json'));
  worlds.push({ c, r });
  return { c, r };
}

const DOWNSTREAM_RUN = ['docker', '--region', REGION, '--yes', '--wait-minutes', '1', '--only', 'downstream'];
const accept = (c: FakeCloud, ...extra: string[]) => acceptInProcess(c, ...DOWNSTREAM_RUN, ...extra);

describe('the acceptance run’s downstream cluster', () => {
  it('the fake world orders the phases as the run does', () => {
    expect(ACCEPTANCE_PHASE_ORDER).toEqual([...ACCEPTANCE_PHASES]);
  });

  it('imports a K3s instance of the run through the v3 API, waits for it Active and connected, and the teardown removes the instance', async () => {
    // SSM refuses the first two commands (the instance not registered yet): the run looks again.
    const { c, r } = await world((w) => (w.acceptance.ssmRegisterAfter = 2));
    const result = await accept(c);
    if (result.code !== 0) console.log(result.out.slice(-4000));
    expect(result.code).toBe(0);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ deploy: 'passed', downstream: 'passed', teardown: 'passed', sweep: 'passed' });
    // The import as Rancher's UI does it, the manifest's URL looked for until Rancher's controller filled it in.
    const clusterId = JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8')).downstream.clusterId;
    expect(r.requests).toEqual(
      expect.arrayContaining([
        'POST /v3/clusters',
        'POST /v3/clusterregistrationtokens',
        `GET /v3/clusterregistrationtokens?clusterId=${clusterId}`,
        `GET /v3/clusters/${clusterId}`,
      ]),
    );
    expect(r.requests.filter((q) => q.startsWith('GET /v3/import/'))).toHaveLength(1);
    // The first look saw it pending (no agent yet), a later one Active with Connected and Ready True.
    expect(report.downstream).toEqual([
      expect.objectContaining({ after: 'import', up: true, first: 'state pending; Connected False; Ready not reported yet' }),
    ]);
    const w = c.world();
    // On the instance: the node list until K3s answered, then the manifest fetched with Rancher's CA, never --insecure.
    const commands: string[] = w.acceptance.downstream.commands;
    expect(commands.filter((x) => x.includes('get nodes'))).toHaveLength(1);
    const apply = commands.find((x) => x.includes('/v3/import/'))!;
    expect(apply).toContain('--cacert /root/rancher-ca.pem');
    expect(apply).not.toContain('--insecure');
    expect(w.acceptance.downstream.lastAgent.server).toBe(r.url);
    // The admin's password and token never on a command line.
    const calls = readFileSync(join(c.dir, 'calls.jsonl'), 'utf8');
    expect(calls).not.toContain(PASSWORD);
    expect(calls).not.toContain(TOKEN);
    // The module tags everything with the run; the teardown destroyed it; the sweep found nothing.
    const module = JSON.parse(readFileSync(join(runDir(c), 'downstream', 'main.tf.json'), 'utf8'));
    expect(module.provider.aws[0].default_tags[0].tags['rancher-ha-aws:acceptance-run']).toBe(report.runId);
    expect(w.acceptance.downstream.destroyed).toBe(1);
    expect(w.acceptance.downstream.state.resources).toEqual([]);
    expect(readFileSync(join(runDir(c), 'report.md'), 'utf8')).toMatch(
      /## Downstream cluster\n\n\| after \|[^\n]*\n\|---\|---\|---\|\n\| import \| \d+ s after the phase \|/,
    );
  });

  it('an agent that never gets back: the phase fails with the conditions and what the agent logged; torn down all the same', async () => {
    const { c } = await world((w) => (w.acceptance.agentCannotReach = true));
    // Six looks (the budget in minutes over the 10 s interval) keep the case short.
    const result = await accept(c, '--downstream-minutes', '1');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ downstream: 'failed', teardown: 'passed', sweep: 'passed' });
    const detail = report.phases.find((p: any) => p.phase === 'downstream').detail;
    expect(detail).toContain('the downstream cluster was not Active with its agent connected 1 minute after the import');
    expect(detail).toContain('last: state pending; Connected False');
    expect(detail).toContain('the agent logged: level=info msg="Connecting to wss://');
    expect(report.downstream).toEqual([expect.objectContaining({ after: 'import', up: false })]);
    expect(c.world().acceptance.downstream.destroyed).toBe(1);
  });

  it('killed (kill -9) during the downstream apply: --teardown-run destroys the instance it left, the sweep is clean', async () => {
    const { c } = await world((w) => (w.acceptance.downstreamKillAt = 'apply'));
    // The bundled CLI: the kill ends its process, not jest's.
    const first = await c.runAsync(['acceptance', ...DOWNSTREAM_RUN], { env: { RANCHER_HA_AWS_SYNTH: SYNTH } });
    expect(first.code).toBeNull();
    const record = JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8'));
    expect(record).toMatchObject({ phase: 'downstream', done: false, downstream: { dir: join(runDir(c), 'downstream') } });
    // The apply ran to its end after the kill: the instance is there, tagged with the run.
    expect(c.world().acceptance.downstream.state.outputs.instance_id.value).toBe(DOWNSTREAM_INSTANCE);
    const torn = await acceptInProcess(c, '--teardown-run', record.runId);
    if (torn.code !== 0) console.log(torn.out.slice(-4000));
    expect(torn.code).toBe(0);
    const w = c.world();
    expect(w.acceptance.downstream.state.resources).toEqual([]);
    expect(w.state.resources).toEqual([]);
    expect(statuses(reportOf(c))).toMatchObject({ downstream: 'interrupted', teardown: 'passed', sweep: 'passed' });
  });

  it('Rancher back from the upgrade with another CA: the agent never reconnects, the upgrade fails naming the checksum mismatch', async () => {
    const { c } = await world(
      (w) => (w.acceptance.rancherCaFrom = { phase: 'upgrade', ca: '-----BEGIN CERTIFICATE-----\nanother-ca\n-----END CERTIFICATE-----\n' }),
      'rke-ha',
    );
    const result = await acceptInProcess(
      c,
      'rke-ha',
      '--region',
      REGION,
      '--yes',
      '--wait-minutes',
      '1',
      '--only',
      'downstream,upgrade',
      '--downstream-minutes',
      '1',
    );
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ downstream: 'passed', upgrade: 'failed', teardown: 'passed', sweep: 'passed' });
    const detail = report.phases.find((p: any) => p.phase === 'upgrade').detail;
    expect(detail).toContain('not Active with its agent connected 1 minute after the upgrade');
    expect(detail).toContain('Ready False (Disconnected: Cluster agent is not connected)');
    expect(detail).toMatch(/the agent logged: ERROR: Configured cacerts checksum \([0-9a-f]{64}\) does not match given --ca-checksum/);
    expect(report.downstream.map((d: any) => [d.after, d.up])).toEqual([
      ['import', true],
      ['upgrade', false],
    ]);
    expect(c.world().acceptance.downstream.destroyed).toBe(1);
  });

  it('--dry-run names the downstream instance, its time and its cost', async () => {
    const { c } = await world();
    const result = await c.runAsync(['acceptance', 'docker', '--region', REGION, '--dry-run'], {
      env: { RANCHER_HA_AWS_SYNTH: SYNTH, PATH: '/nonexistent' },
    });
    expect(result.code).toBe(0);
    const plan = said(result.out, 'ACCEPTANCE_PLAN');
    expect(plan).toContain('downstream: a single-node K3s on a small instance of the run');
    expect(plan).toMatch(
      new RegExp(
        `The downstream phase adds a VPC of its own [^\\n]*one t3\\.medium running single-node K3s ${DOWNSTREAM_K3S.replace(/[.+]/g, '\\$&')}[^\\n]*about \\$0\\.05 an hour`,
      ),
    );
    // 390 minutes of the docker host and of the downstream instance: (0.1096 + 0.05) × 6.5.
    expect(plan).toContain(
      'at most about $1.04 (the default docker host costs about $0.11 an hour, docs/cost.md; the downstream instance about $0.05 an hour)',
    );
    expect(c.calls()).toEqual([]);
  });
});
