import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FENCE_GUARD_READ from '../../../lib/standby/fence-guard-read.sh';
import { FENCE_GUARD_SCRIPT } from '../../../lib/standby/fence-guard';
import { STUBS } from '../../helpers/node-sandbox';
import { runValidator } from '../../helpers/validators';

// k8s-ha's failover fence guard (lib/standby/fence-guard.ts) as its CronJob's pod runs it: the reader
// (fence-guard-read.sh, the AWS CLI's image) then the guard (fence-guard.sh and the decision it shares with rke-ha's
// failover-fence.sh), each a real bash. The AWS CLI is helpers/guard-stubs/aws (its exit codes and messages as aws-cli
// 2.36.7's), kubectl the node stand-in's (node-stubs/kubectl: deployment-rancher holds the replicas, then the
// annotations), the same cluster rke-ha's script is run against.

const FENCE = '/rancher/k8s-ha/failover-fence';
const ANNOTATION = 'rancher-ha-aws/fenced-replicas';
const GUARD_STUBS = join(__dirname, '../../helpers/guard-stubs');

let dirs: string[] = [];
afterEach(() => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  dirs = [];
});

/** Production's cluster with Rancher at `replicas` (none: not installed), the fence in us-west-2 or not. */
function cluster(o: { replicas?: string; fence?: boolean }): string {
  const t = mkdtempSync(join(tmpdir(), 'fence-guard-'));
  dirs.push(t);
  if (o.replicas !== undefined) writeFileSync(join(t, 'deployment-rancher'), `${o.replicas}\n`);
  if (o.fence) setFence(t, true);
  return t;
}
function setFence(t: string, on: boolean): void {
  mkdirSync(join(t, 'ssm-us-west-2'), { recursive: true });
  if (on) writeFileSync(join(t, 'ssm-us-west-2', 'failover-fence'), '');
  else rmSync(join(t, 'ssm-us-west-2', 'failover-fence'), { force: true });
}

/** One run of the CronJob's pod: the init container, then the main one (its env as fence-guard.ts sets it). */
function pod(t: string): { status: number | null; read: string; guard: string } {
  const env = {
    PATH: `${GUARD_STUBS}:${STUBS}:${process.env.PATH ?? ''}`,
    HOME: t,
    T: t,
    FENCE_PARAMETER: FENCE,
    FENCE_REGION: 'us-west-2',
    FENCE_STATE: join(t, 'state'),
  };
  rmSync(join(t, 'state'), { force: true });
  const run = (script: string) => spawnSync('bash', ['-c', script], { env, encoding: 'utf8' });
  const read = run(FENCE_GUARD_READ);
  if (read.status !== 0) return { status: read.status, read: read.stdout + read.stderr, guard: '' };
  const guard = run(FENCE_GUARD_SCRIPT);
  return { status: guard.status, read: read.stdout + read.stderr, guard: guard.stdout + guard.stderr };
}
const rancher = (t: string) => readFileSync(join(t, 'deployment-rancher'), 'utf8').split('\n').filter(Boolean);
const lines = (t: string, file: string) => (existsSync(join(t, file)) ? readFileSync(join(t, file), 'utf8').split('\n').filter(Boolean) : []);

describe("k8s-ha's failover fence guard (fence-guard-read.sh, fence-guard.sh)", () => {
  it('passes shellcheck as its containers run it (the guard with the decision taken from failover-fence.sh)', () => {
    for (const [name, text] of [
      ['fence-guard-read.sh', FENCE_GUARD_READ],
      ['fence-guard.sh', FENCE_GUARD_SCRIPT],
    ])
      expect(runValidator('shellcheck', ['--severity=style'], text, name)).toEqual({ status: 0, output: '' });
  });

  it('the fence set: Rancher scaled to 0, its replicas kept in an annotation first; asked in the standby region', () => {
    const t = cluster({ replicas: '3', fence: true });
    const r = pod(t);
    expect(r.status).toBe(0);
    expect(r.guard).toContain(`the fence ${FENCE} is in us-west-2 (a failover moved the hostname there): cattle-system/rancher scaled from 3 to 0`);
    expect(rancher(t)).toEqual(['0', `${ANNOTATION}=3`]);
    expect(lines(t, 'events')).toEqual([`deployment rancher annotated ${ANNOTATION}=3`, 'deployment rancher scaled to 0']);
    expect(lines(t, 'calls').filter((c) => c.startsWith('aws '))).toEqual([
      `aws ssm get-parameter --region us-west-2 --name ${FENCE} --query Parameter.Name --output text --cli-connect-timeout 5 --cli-read-timeout 10`,
    ]);
  });

  it('the fence still set: kept at 0; scaled up again meanwhile (a Helm upgrade), scaled to 0 again, the first count kept', () => {
    const t = cluster({ replicas: '3', fence: true });
    pod(t);
    expect(pod(t).status).toBe(0);
    expect(lines(t, 'events')).toHaveLength(2);
    writeFileSync(join(t, 'deployment-rancher'), `2\n${ANNOTATION}=3\n`);
    expect(pod(t).status).toBe(0);
    expect(rancher(t)).toEqual(['0', `${ANNOTATION}=3`]);
  });

  it('the fence gone (ParameterNotFound: the failback): Rancher scaled back to the count kept, the annotation removed; then untouched', () => {
    const t = cluster({ replicas: '3', fence: true });
    pod(t);
    setFence(t, false);
    const r = pod(t);
    expect(r.status).toBe(0);
    expect(r.read).toBe('');
    expect(r.guard).toContain(`the fence ${FENCE} is gone from us-west-2 (the failback): cattle-system/rancher scaled back to 3`);
    expect(rancher(t)).toEqual(['3']);
    const before = lines(t, 'events').length;
    expect(pod(t)).toEqual({ status: 0, read: '', guard: '' });
    expect(lines(t, 'events')).toHaveLength(before);
  });

  it.each([
    ['does not answer', 'ssm-down-us-west-2', 'aws exited 255:  aws: [ERROR]: Could not connect to the endpoint URL'],
    ['refuses the read', 'ssm-denied', 'aws exited 254:  aws: [ERROR]: An error occurred (AccessDeniedException)'],
  ])('the standby region %s: Rancher left as it is, fenced or not, and the pod says why', (_what, file, said) => {
    for (const replicas of ['3', `0\n${ANNOTATION}=3`]) {
      const t = cluster({ replicas, fence: true });
      writeFileSync(join(t, file), '');
      const r = pod(t);
      expect(r.status).toBe(0);
      expect(r.read).toContain(`could not read the fence ${FENCE} in us-west-2 (${said}`);
      expect(r.read).toContain('Rancher left as it is');
      expect(readFileSync(join(t, 'deployment-rancher'), 'utf8')).toBe(`${replicas}\n`);
      expect(lines(t, 'calls').filter((c) => c.startsWith('kubectl'))).toEqual([]);
    }
  });

  it('Rancher not installed yet: nothing to do', () => {
    const t = cluster({ fence: true });
    expect(pod(t)).toEqual({ status: 0, read: '', guard: '' });
  });
});
