import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCEPTANCE_PHASES, NOT_APPLICABLE } from '../../../cli/acceptance/acceptance-report';
import { reportOf, runDir, statuses } from '../../helpers/acceptance-run';
import { checkEveryRun, expectTornDown, K8S_HA, REGION, world, ZONE } from '../../helpers/acceptance-world';
import { FIRST_KEY, tokenWith } from '../../helpers/roll-world';
import { OLD, secretOf } from '../../helpers/rotate-world';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { codesOf, said } from '../../helpers/plain-output';
import { acceptInProcess, acceptRkeHa } from '../../helpers/acceptance-in-process';

// The acceptance run of the other stacks (k8s-ha onto the user's cluster, docker's one host) and the optional
// rotations (helpers/acceptance-world.ts).

checkEveryRun();

describe('npm run acceptance: k8s-ha, docker, --with rotate', () => {
  it('k8s-ha onto the cluster you name: the phases that apply pass, the others say why not; only what the run made goes, your namespaces stay', async () => {
    const { c } = await world(undefined, 'k8s-ha');
    const kubeconfig = join(c.dir, 'user-kubeconfig.yaml');
    const result = await acceptInProcess(c, 'k8s-ha', '--region', REGION, '--yes', '--wait-minutes', '1', ...K8S_HA);
    if (result.code !== 0) console.log(result.out.slice(-6000));
    expect(result.code).toBe(0);
    const report = reportOf(c);
    const applies = ['deploy', 'ping', 'login', 'second-plan', 'backup', 'break', 'teardown', 'sweep'];
    expect(statuses(report)).toEqual(Object.fromEntries(ACCEPTANCE_PHASES.map((p) => [p, applies.includes(p) ? 'passed' : 'skipped'])));
    for (const p of ['upgrade', 'roll', 'rotate', 'drill'] as const)
      expect(report.phases.find((x: any) => x.phase === p).detail).toBe((NOT_APPLICABLE['k8s-ha'] as any)[p]);
    expect(report.passed).toBe(true);
    expect(report.versions['kubernetes (your cluster)']).toBe('ip-10-9-0-1 v1.34.2+eks');
    expect(report.notProven.join(' ')).toContain('rancher-cleanup');
    // No kubectl (none on PATH): every request of the Kubernetes API went on the user's file's context (the fake refuses
    // others; its current context is another cluster); the destroy, not the teardown command, removed the module;
    // the run's Backup object went first.
    const w = c.world();
    expect(c.calls().filter((call) => call.startsWith('kubectl'))).toEqual([]);
    expect(c.calls()).toEqual(
      expect.arrayContaining([
        'kube-api GET /api/v1/namespaces as get namespaces -o json',
        'kube-api DELETE /apis/resources.cattle.io/v1/backups/rancher-aws-acceptance as delete backups.resources.cattle.io/rancher-aws-acceptance --wait=false',
      ]),
    );
    expect(readFileSync(kubeconfig, 'utf8')).toContain('current-context: fake-world');
    expect(c.calls()).toContain('terraform apply -destroy -refresh=false -auto-approve -input=false');
    expect(w.acceptance.backupDeleted).toBe(true);
    expect(w.state.resources).toEqual([]);
    const sweep = report.evidence.sweep.join('\n');
    expect(sweep).toContain("0 of the run's namespaces (cattle-resources-system, cattle-system, cert-manager, rancher-aws-gates) left");
    expect(sweep).toContain('2 namespaces that came with Rancher stay (cattle-global-data, fleet-local');
    expect(report.evidence.deploy.join('\n')).toContain(`one Route53 record of its own (acc-${report.runId}.${ZONE})`);
    expect(JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8')).done).toBe(true);
  });

  it('k8s-ha refuses a cluster that has a Rancher already (cattle-system) before anything is created', async () => {
    const { c } = await world((w) => w.acceptance.cluster.namespaces.push('cattle-system'), 'k8s-ha');
    const result = await acceptInProcess(c, 'k8s-ha', '--region', REGION, '--yes', ...K8S_HA);
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toEqual(['ACCEPTANCE_CLUSTER_HAS_RANCHER']);
    expect(said(result.out, 'ACCEPTANCE_CLUSTER_HAS_RANCHER')).toContain('user-kubeconfig.yaml');
    expect(existsSync(join(c.dir, 'acceptance.out'))).toBe(false);
    expect(c.calls().filter((call) => !/^aws (sts|resourcegroupstaggingapi) /.test(call))).toEqual([
      // On the user's kubeconfig's context: the stub refuses a request on any other.
      'kube-api GET /api/v1/namespaces/cattle-system as get namespace cattle-system -o json',
    ]);
  });

  it('docker: one host; the upgrade, roll, backup and drill do not apply (said why), the break stops the host, torn down', async () => {
    const { c, r } = await world(undefined, 'docker');
    const result = await acceptInProcess(c, 'docker', '--region', REGION, '--yes', '--wait-minutes', '1');
    if (result.code !== 0) console.log(result.out.slice(-6000));
    expect(result.code).toBe(0);
    const report = reportOf(c);
    const applies = ['deploy', 'ping', 'login', 'second-plan', 'downstream', 'break', 'teardown', 'sweep'];
    expect(statuses(report)).toEqual(Object.fromEntries(ACCEPTANCE_PHASES.map((p) => [p, applies.includes(p) ? 'passed' : 'skipped'])));
    for (const p of ['upgrade', 'roll', 'rotate', 'backup', 'drill'] as const)
      expect(report.phases.find((x: any) => x.phase === p).detail).toBe((NOT_APPLICABLE.docker as any)[p]);
    expect(said(result.out, 'ACCEPTANCE_PLAN')).toContain('(does not apply) roll: one host');
    // Rancher's CA read from /cacerts (trust on first use), then /ping and the login verified against it.
    expect(r.requests).toEqual(expect.arrayContaining(['GET /cacerts', 'GET /ping', 'POST /v1-public/login']));
    expect(c.calls()).toContain(`aws ec2 stop-instances --instance-ids i-server --region ${REGION} --output json`);
    expect(c.calls().some((call) => call.startsWith('kubectl'))).toBe(false);
    expect(report.versions).toMatchObject({ rancher: `v${DEFAULT_VERSIONS.rancher}`, 'instance type': 'm6i.large' });
    expect(report.timeline.find((t: any) => t.step === 'first-server').resources).toBeGreaterThan(0);
    expectTornDown(c);
  });

  it('--with rotate (RKE2): the token rotated, then the encryption key, then server-0 rolled, which joins with the new token; the replaced token not left in the run folder; torn down', async () => {
    const { c } = await world((w) => {
      // The deployment's token parameter as the apply writes it (its name carries the run id), the servers and the
      // datastore on that token, and RKE2's secrets-encryption on its first key (roll-world.ts withToken, withEncryption).
      const r = w.acceptance.applyState.resources.find(
        (x: any) => x.type === 'aws_ssm_parameter' && String(x.instances[0].attributes.name).endsWith('/token'),
      );
      const a = r.instances[0].attributes;
      const token = tokenWith(OLD);
      w.acceptance.applyParameters = {
        [a.name]: { name: a.name, value: token, version: 1, keyId: a.key_id, tier: a.tier, description: a.description },
      };
      w.cluster.token = token;
      w.cluster.encryption = { saved: { stage: 'start', active: FIRST_KEY } };
      for (const s of w.cluster.servers) {
        s.token = { config: token, server: token, startedAfterConfig: true };
        s.enc = { stage: 'start', active: FIRST_KEY };
      }
    });
    const result = await acceptRkeHa(c, '--only', 'rotate', '--with', 'rotate');
    if (result.code !== 0) console.log(result.out.slice(-6000));
    expect(result.code).toBe(0);
    const report = reportOf(c);
    expect(statuses(report)).toEqual(
      Object.fromEntries(ACCEPTANCE_PHASES.map((p) => [p, ['deploy', 'rotate', 'teardown', 'sweep'].includes(p) ? 'passed' : 'skipped'])),
    );
    // Read after the teardown (which stops every server): each server's token copies and encryption configuration.
    const w = c.world();
    const token = w.parameters[Object.keys(w.parameters)[0]].value;
    expect(secretOf(token)).not.toBe(OLD);
    expect(w.cluster.token).toBe(token);
    expect(w.cluster.encryption.saved.active).not.toBe(FIRST_KEY);
    for (const s of w.cluster.servers) {
      expect([s.name, s.token.config, s.token.server]).toEqual([s.name, token, token]);
      expect([s.name, s.enc]).toEqual([s.name, w.cluster.encryption.saved]);
    }
    expect(w.parameterWrites).toHaveLength(1);
    expect(w.cluster.rotations).toEqual(['server-0']);
    expect(w.cluster.encryption.rotations).toEqual(['server-0']);
    expect(w.cluster.encryption.restarts.map((x: any) => [x.server, x.during])).toEqual([
      ['server-1', 'none'],
      ['server-2', 'none'],
    ]);
    // The roll after the rotations: a new server-0 that boots with the parameter's (new) token, which the cluster holds.
    expect(w.replaced).toEqual(['server-0']);
    expect(w.joins).toEqual([{ server: 'server-0', token: secretOf(w.parameters[Object.keys(w.parameters)[0]].value), refused: false }]);
    expect(w.joins[0].token).not.toBe(OLD);
    expect(report.evidence.rotate).toEqual(
      expect.arrayContaining([
        'rancher-ha-aws rotate token: exit 0',
        'rancher-ha-aws rotate encryption-key: exit 0',
        'rancher-ha-aws roll --server server-0: exit 0',
        'server-0 replaced after the rotations: it joined with the new token from the token parameter, Ready and an etcd voter',
      ]),
    );
    // Both rotations and the roll told through the run's own host, inside its rotate phase: their codes in its output.
    const codes = codesOf(result.out);
    const start = codes.indexOf('ACCEPTANCE_PHASE_STARTED', codes.indexOf('ACCEPTANCE_PHASE_PASSED'));
    const phase = codes.slice(start, codes.indexOf('ACCEPTANCE_PHASE_PASSED', start) + 1);
    expect(phase.filter((code) => ['ROTATE_PLAN', 'ROLL_PLAN', 'ACCEPTANCE_PHASE_PASSED'].includes(code))).toEqual([
      'ROTATE_PLAN',
      'ROTATE_PLAN',
      'ROLL_PLAN',
      'ACCEPTANCE_PHASE_PASSED',
    ]);
    expect(existsSync(join(runDir(c), 'join-token-before-rotation'))).toBe(false);
    expect(readFileSync(join(c.dir, 'calls.jsonl'), 'utf8')).not.toContain(OLD);
    expectTornDown(c);
  });
});
