import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { runBoundedAsync } from '../../helpers/subprocess';
import { runValidator } from '../../helpers/validators';

const SCRIPT = 'lib/kubernetes/k3s-restore.sh';
const ME = 'ip-10-0-0-10';

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

/** A K3s server running on a restored datastore: its nodes and, from the restore point, a Lease (node-stubs/kubectl). */
function server(lease?: string): NodeSandbox {
  const b = new NodeSandbox({ NODE_NAME: ME, NODE_IP: '10.0.0.10', PEER_IPS: '10.0.16.10 10.0.32.10', AWS_REGION: 'eu-west-1' });
  b.write('nodes', `${ME}\nip-10-0-16-10\nip-10-0-32-10\n`);
  b.write('events', '');
  if (lease !== undefined) b.write('lease', lease);
  boxes.push(b);
  return b;
}
const events = (b: NodeSandbox) => b.read('events').split('\n').filter(Boolean);
// The datastore's restore point held a dead roll's Lease with a server out, at resourceVersion 812.
const DEAD_ROLL = 'laptop/4242/2026-11-26T08:00:00.000Z 2026-11-26T09:00:00.000000Z 3600 812 10.0.16.10\n';
const RECORD = /^configmap rancher-aws-restore restoredLeaseVersion=812 resetBegan=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('k3s-restore.sh (rancher-aws-restore on a K3s server)', () => {
  it('passes shellcheck as committed', () => {
    expect(runValidator('shellcheck', ['--severity=style'], readFileSync(join(__dirname, '../../..', SCRIPT), 'utf8'), 'k3s-restore.sh')).toEqual({
      status: 0,
      output: '',
    });
  });

  it("--record-only --yes: records the restart Lease's version as the restored datastore holds it, and writes nothing else", () => {
    const b = server(DEAD_ROLL);
    const r = b.run({ file: SCRIPT, args: ['--record-only', '--yes'] });
    expect(r.status).toBe(0);
    expect(events(b)).toEqual([expect.stringMatching(RECORD)]);
    // The record cert-renewal.sh resume reads (the Lease compared with itself): the same ConfigMap an RKE2 restore writes.
    expect(b.read('configmap-rancher-aws-restore')).toMatch(/^restoredLeaseVersion=812\nresetBegan=\S+Z\n$/);
    expect(b.read('lease')).toBe(DEAD_ROLL);
    expect(r.output).toContain('the restore is recorded');
  });

  it('a restore point with no restart Lease records none, and a record of an earlier restore is replaced', () => {
    const b = server();
    b.write('configmap-rancher-aws-restore', 'restoredAt=2026-01-01T00:00:00Z\n');
    expect(b.run({ file: SCRIPT, args: ['--record-only', '--yes'] }).status).toBe(0);
    expect(b.read('configmap-rancher-aws-restore')).toMatch(/^restoredLeaseVersion=\nresetBegan=\S+Z\n$/);
  });

  it('refuses, changing nothing: the API not answering, no terminal without --yes, a mode other than --record-only', () => {
    const down = server(DEAD_ROLL);
    down.write('api-down', '');
    expect(down.run({ file: SCRIPT, args: ['--record-only', '--yes'] })).toEqual({
      status: 1,
      output: expect.stringContaining('the API of this server does not answer'),
    });
    const b = server(DEAD_ROLL);
    expect(b.run({ file: SCRIPT, args: ['--record-only'] }).output).toContain('no terminal to confirm on: rerun with --yes');
    const usage = b.run({ file: SCRIPT, args: ['--snapshot', 'x'] });
    expect(usage.status).toBe(1);
    expect(usage.output).toContain('usage: rancher-aws-restore --record-only [--yes] [--force] (K3s: RDS restores the datastore; this records it)');
    expect(b.run({ file: SCRIPT }).status).toBe(1);
    expect(events(down)).toEqual([]);
    expect(events(b)).toEqual([]);
  });

  it('run again after a roll took the Lease: refused, the record unchanged; --force (a second restore) records the Lease held now', () => {
    const b = server(DEAD_ROLL);
    expect(b.run({ file: SCRIPT, args: ['--record-only', '--yes'] }).status).toBe(0);
    const first = b.read('configmap-rancher-aws-restore');
    // A timer gave the restored Lease back (813), then a roll took it (814).
    b.write('lease', 'laptop/5151/2026-11-27T08:00:00.000Z 2026-11-27T08:01:00.000000Z 3600 814 -\n');
    const again = b.run({ file: SCRIPT, args: ['--record-only', '--yes'] });
    expect(again.status).toBe(1);
    expect(again.output).toContain('recording again would hand that live Lease to the renewal timers');
    expect(b.read('configmap-rancher-aws-restore')).toBe(first);
    // The same Lease still unwritten since the record (a rerun before anything took it) records as before.
    const same = server(DEAD_ROLL);
    expect(same.run({ file: SCRIPT, args: ['--record-only', '--yes'] }).status).toBe(0);
    expect(same.run({ file: SCRIPT, args: ['--record-only', '--yes'] }).status).toBe(0);
    expect(b.run({ file: SCRIPT, args: ['--record-only', '--yes', '--force'] }).status).toBe(0);
    expect(b.read('configmap-rancher-aws-restore')).toMatch(/^restoredLeaseVersion=814\n/);
  });

  it('on a terminal, records only after "restored" is typed (util-linux script(1) gives it a real pseudo-terminal)', async () => {
    const b = server(DEAD_ROLL);
    const typed = async (answer: string) => {
      let sent = false;
      const run = await runBoundedAsync('script', ['-qec', `bash ${b.prepare({ file: SCRIPT })} --record-only`, '/dev/null'], {
        env: { ...b.environment(), SHELL: '/bin/sh' },
        onStdout: (screen, child) => {
          if (sent || !screen.includes('to go on: ')) return;
          sent = true;
          child.stdin?.end(`${answer}\r`);
        },
      });
      return { status: run.status, screen: run.stdout };
    };
    const wrong = await typed('yes');
    expect(wrong.screen).toContain('Type "restored" to go on');
    expect(wrong.screen).toContain('not confirmed: nothing was changed');
    expect(wrong.status).toBe(1);
    expect(events(b)).toEqual([]);
    const right = await typed('restored');
    expect(right.status).toBe(0);
    expect(events(b)).toEqual([expect.stringMatching(RECORD)]);
  });
});
