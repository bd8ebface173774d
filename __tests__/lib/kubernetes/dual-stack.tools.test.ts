import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ipv6DropInPath, WAIT_IPV6_PATH } from '../../../lib/kubernetes/private/dual-stack';
import { k3sUserData } from '../../../lib/kubernetes/private/k3s-user-data';
import { rke2UserData } from '../../../lib/kubernetes/private/rke2-user-data';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { runValidator } from '../../helpers/validators';
import { base as k3sBase, init as k3sInit, render as renderK3s } from './k3s-user-data.setup';
import { settings as rke2Settings, init as rke2Init, rendered as renderRke2 } from './rke2-user-data.setup';

const SCRIPT = 'lib/kubernetes/wait-ipv6.sh';

/**
 * A stub `ip` for the sandbox: `ip -6 -o addr show scope global -tentative` prints the lines of `ipv6` (one
 * address a line, as `ip -o` does) once the sandbox clock (`slept`) has reached the number in `ipv6-after`
 * (default 0), and nothing before; every call is counted in `ip-calls`. Anything else is refused, so the script
 * asks exactly that.
 */
const IP_STUB = `#!/bin/bash
echo x >>"$T/ip-calls"
[ "$*" = "-6 -o addr show scope global -tentative" ] || { echo "unexpected: ip $*" >&2; exit 2; }
after=0
[ -f "$T/ipv6-after" ] && after=$(<"$T/ipv6-after")
if [ "$(<"$T/slept")" -ge "$after" ] && [ -f "$T/ipv6" ]; then cat "$T/ipv6"; fi
`;
const GLOBAL =
  '2: ens5    inet6 2600:1f18:4a3:6a00:1b2c:3d4e:5f60:7a81/128 scope global dynamic noprefixroute \\       valid_lft 450sec preferred_lft 140sec\n';

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

function box(): NodeSandbox {
  const b = new NodeSandbox({});
  b.write('bin/ip', IP_STUB);
  b.run({ source: 'chmod 0755 "$T/bin/ip"' });
  boxes.push(b);
  return b;
}
const ipCalls = (b: NodeSandbox) => (b.exists('ip-calls') ? b.read('ip-calls').split('\n').filter(Boolean).length : 0);

describe('wait-ipv6.sh (rancher-aws-wait-ipv6), run in a sandbox', () => {
  it('passes shellcheck as committed', () => {
    expect(runValidator('shellcheck', ['--severity=style'], readFileSync(join(__dirname, '../../..', SCRIPT), 'utf8'), 'script.sh')).toEqual({
      status: 0,
      output: '',
    });
  });

  it('returns at once, without a word, when the address is there', () => {
    const b = box();
    b.write('ipv6', GLOBAL);
    const r = b.run({ file: SCRIPT });
    expect(r).toEqual({ status: 0, output: '' });
    expect(b.slept()).toBe(0);
    expect(ipCalls(b)).toBe(1);
  });

  it('waits, polling every 2 s, until the address appears, and says how long it took', () => {
    const b = box();
    b.write('ipv6', GLOBAL);
    b.write('ipv6-after', '14');
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(0);
    expect(r.output).toContain('a global IPv6 address appeared after 14 s');
    expect(b.slept()).toBe(14);
    expect(ipCalls(b)).toBe(8);
  });

  it('fails after IPV6_WAIT_SECONDS without one, naming what to check: the unit start fails and is retried', () => {
    const b = box();
    const r = b.run({ file: SCRIPT }, { IPV6_WAIT_SECONDS: '10' });
    expect(r.status).toBe(1);
    expect(r.output).toContain('no global IPv6 address after 10 s');
    expect(r.output).toContain('rkeHa.dualStack');
    expect(b.slept()).toBe(10);
    expect(ipCalls(b)).toBe(6);
  });

  it('gives up after 120 s by default (60 polls), however long the address takes', () => {
    const b = box();
    b.write('ipv6', GLOBAL);
    b.write('ipv6-after', '500');
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(1);
    expect(b.slept()).toBe(120);
    expect(ipCalls(b)).toBe(61);
  });

  it('does not count an address ip does not list as usable (only the filtered listing is asked for)', () => {
    const b = box();
    // What `ip` prints for the filter when the only address is tentative or link-local: nothing.
    b.write('ipv6', '');
    const r = b.run({ file: SCRIPT }, { IPV6_WAIT_SECONDS: '4' });
    expect(r.status).toBe(1);
  });
});

describe('the wait as the servers get it', () => {
  /**
   * The first server's write_files of a dual-stack cluster, by path, as Terraform renders them: the user data built
   * directly (rke2UserData, k3sUserData); the rke-ha stack's wiring of rkeHa.dualStack to it is
   * __tests__/app/stacks/rke-ha-dual-stack.test.ts's.
   */
  function files(distribution: 'rke2' | 'k3s'): Map<string, string> {
    const userData =
      distribution === 'rke2'
        ? renderRke2(rke2UserData({ ...rke2Settings, dualStack: true }, rke2Init))
        : renderK3s(k3sUserData({ ...k3sBase, dualStack: true }, k3sInit));
    const doc = parse(userData.replace(/^#cloud-config\n/, '')) as { write_files: { path: string; content: string }[] };
    return new Map(doc.write_files.map((f) => [f.path, f.content]));
  }

  it.each(['rke2', 'k3s'] as const)('%s: the shipped script passes shellcheck and runs before every start of the server unit', (distribution) => {
    const written = files(distribution);
    const script = written.get(WAIT_IPV6_PATH)!;
    expect(runValidator('shellcheck', ['--severity=style'], script, 'script.sh')).toEqual({ status: 0, output: '' });
    expect(written.get(ipv6DropInPath(distribution))).toBe(`[Service]\nExecStartPre=${WAIT_IPV6_PATH}\n`);
    // The shipped text (comments left out) behaves as the committed one: run it in a sandbox.
    const b = box();
    b.write('ipv6', GLOBAL);
    b.write('ipv6-after', '4');
    b.write('sbin/shipped.sh', script.replaceAll('/usr/local/lib/rancher-aws/boot-lib.sh', b.path('lib/boot-lib.sh')));
    const r = b.run({ source: `bash "$T/sbin/shipped.sh"` });
    expect(r.status).toBe(0);
    expect(b.slept()).toBe(4);
  });
});
