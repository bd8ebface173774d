import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { runValidator } from '../../helpers/validators';

// failover-fence.sh (rancher-aws-failover-fence), run as its timer runs it on a production server, against the node
// stand-ins (node-stubs/: curl answers SSM from files, ssm-down-<region> takes one region away; kubectl plays the
// cluster's cattle-system/rancher Deployment, deployment-rancher: its replicas, then its annotations). Where the fence
// is comes from production's region (eu-west-1, failover-fence-region); the fence is read in the standby region
// (us-west-2) only.

const SCRIPT = 'lib/kubernetes/failover-fence.sh';
const FENCE = '/rancher/rke-ha/failover-fence';
const ANNOTATION = 'rancher-ha-aws/fenced-replicas';

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

/** A production server whose cluster runs Rancher with `replicas` (none: not installed), the fence set or not. */
function server(o: { replicas?: string; fence?: boolean; standby?: boolean }): NodeSandbox {
  const b = new NodeSandbox({ AWS_REGION: 'eu-west-1', PARAMETER_PREFIX: '/rancher/rke-ha' });
  // Production's apply names the standby region beside the boot parameters (lib/standby/failover-fence.ts).
  if (o.standby !== false) b.parameter('failover-fence-region', 'us-west-2');
  if (o.replicas !== undefined) b.write('deployment-rancher', `${o.replicas}\n`);
  if (o.fence)
    b.write('ssm/failover-fence.json', JSON.stringify({ Parameter: { Name: FENCE, Type: 'String', Value: '{"since":"2026-11-29T05:00:00Z"}' } }));
  boxes.push(b);
  return b;
}
const guard = (b: NodeSandbox) => b.run({ file: SCRIPT, args: ['rke2'] });
const rancher = (b: NodeSandbox) => b.read('deployment-rancher').split('\n').filter(Boolean);
const events = (b: NodeSandbox) => (b.exists('events') ? b.read('events').split('\n').filter(Boolean) : []);

describe('failover-fence.sh (rancher-aws-failover-fence)', () => {
  it('passes shellcheck as committed', () => {
    expect(runValidator('shellcheck', ['--severity=style'], readFileSync(join(__dirname, '../../..', SCRIPT), 'utf8'), 'failover-fence.sh')).toEqual({
      status: 0,
      output: '',
    });
  });

  it('the fence set: Rancher scaled to 0, its replicas kept in an annotation first; asked in the standby region only', () => {
    const b = server({ replicas: '3', fence: true });
    const r = guard(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain(`the fence ${FENCE} is in us-west-2 (a failover moved the hostname there): cattle-system/rancher scaled from 3 to 0`);
    expect(rancher(b)).toEqual(['0', `${ANNOTATION}=3`]);
    expect(events(b)).toEqual([`deployment rancher annotated ${ANNOTATION}=3`, 'deployment rancher scaled to 0']);
    expect(b.endpoints()).toEqual(['ssm.eu-west-1.amazonaws.com', 'ssm.us-west-2.amazonaws.com']);
    expect(b.calls().filter((c) => c.startsWith('ssm '))).toEqual(['ssm failover-fence-region', 'ssm failover-fence']);
  });

  it('the fence still set: kept at 0; scaled up again meanwhile (a Helm upgrade), scaled to 0 again, the first count kept', () => {
    const b = server({ replicas: '3', fence: true });
    guard(b);
    expect(guard(b).status).toBe(0);
    expect(events(b)).toHaveLength(2);
    b.write('deployment-rancher', `2\n${ANNOTATION}=3\n`);
    expect(guard(b).status).toBe(0);
    expect(rancher(b)).toEqual(['0', `${ANNOTATION}=3`]);
  });

  it('the fence gone (the failback): Rancher scaled back to the count kept, the annotation removed; then untouched', () => {
    const b = server({ replicas: '3', fence: true });
    guard(b);
    b.remove('ssm/failover-fence.json');
    const r = guard(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain(`the fence ${FENCE} is gone from us-west-2 (the failback): cattle-system/rancher scaled back to 3`);
    expect(rancher(b)).toEqual(['3']);
    const before = events(b).length;
    expect(guard(b)).toEqual({ status: 0, output: '' });
    expect(events(b)).toHaveLength(before);
  });

  it('no standby (no region named): the standby region not asked, Rancher untouched; a count kept from a fence given back', () => {
    const b = server({ replicas: '3', fence: true, standby: false });
    expect(guard(b)).toEqual({ status: 0, output: '' });
    expect(b.endpoints()).toEqual(['ssm.eu-west-1.amazonaws.com']);
    expect(rancher(b)).toEqual(['3']);
    // standby.region removed while fenced: nothing fences any more.
    b.write('deployment-rancher', `0\n${ANNOTATION}=3\n`);
    expect(guard(b).status).toBe(0);
    expect(rancher(b)).toEqual(['3']);
  });

  it("production's own SSM not answering: Rancher left as it is, said", () => {
    const b = server({ replicas: `0\n${ANNOTATION}=3`, fence: false });
    b.write('ssm-down-eu-west-1', '');
    const r = guard(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain('could not read /rancher/rke-ha/failover-fence-region in eu-west-1 (where the fence is); Rancher left as it is');
    expect(b.read('deployment-rancher')).toBe(`0\n${ANNOTATION}=3\n`);
  });

  it('no fence, never fenced: Rancher untouched, nothing logged', () => {
    const b = server({ replicas: '3' });
    expect(guard(b)).toEqual({ status: 0, output: '' });
    expect(rancher(b)).toEqual(['3']);
    expect(events(b)).toEqual([]);
  });

  it.each([
    ['does not answer', (b: NodeSandbox) => b.write('ssm-down-us-west-2', ''), 'HTTP 000'],
    ['refuses the read', (b: NodeSandbox) => b.write('ssm-denied/failover-fence', ''), 'HTTP 400: {"__type":"AccessDeniedException"'],
  ])('the standby region %s: Rancher left as it is, fenced or not, and the journal says why', (_what, breakIt, said) => {
    for (const replicas of ['3', `0\n${ANNOTATION}=3`]) {
      const b = server({ replicas, fence: true });
      breakIt(b);
      const r = guard(b);
      expect(r.status).toBe(0);
      expect(r.output).toContain(`could not read the fence ${FENCE} in us-west-2 (${said}`);
      expect(r.output).toContain('Rancher left as it is');
      expect(b.read('deployment-rancher')).toBe(`${replicas}\n`);
      expect(b.calls().filter((c) => c.startsWith('kubectl'))).toEqual([]);
    }
  });

  it('Rancher not installed yet (a first boot): nothing to do; the API not answering: exit 1, said, nothing changed', () => {
    const none = server({ fence: true });
    expect(guard(none)).toEqual({ status: 0, output: '' });
    // This server's API refusing (node-stubs/kubectl down/NODE_NAME: a server restarting).
    const down = server({ replicas: '3', fence: true });
    down.write('down/server-0', 'never');
    const r = down.run({ file: SCRIPT, args: ['rke2'] }, { NODE_NAME: 'server-0' });
    expect(r.status).toBe(1);
    expect(r.output).toContain('could not read cattle-system/rancher: ');
    expect(down.read('deployment-rancher')).toBe('3\n');
  });
});
