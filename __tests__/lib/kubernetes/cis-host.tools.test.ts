import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { runValidator } from '../../helpers/validators';
import { CIS_SYSCTL_PATH, cisFiles } from '../../../lib/kubernetes/private/cis-profile';

const SCRIPT = 'lib/kubernetes/cis-host.sh';
const SYSCTL = 'etc/sysctl.d/60-rke2-cis.conf';
/** An Ubuntu 24.04 server as it boots: no etcd account, the kernel's own defaults. */
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nsystemd-network:x:998:998::/:/usr/sbin/nologin\nubuntu:x:1000:1000::/home/ubuntu:/bin/bash\n';
const GROUP = 'root:x:0:\nsystemd-network:x:998:\nubuntu:x:1000:\n';
const UBUNTU_KERNEL = 'vm.panic_on_oom=0\nvm.overcommit_memory=0\nkernel.panic=0\nkernel.panic_on_oops=0\n';

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

function host(): NodeSandbox {
  const b = new NodeSandbox({});
  b.write('etc/passwd', PASSWD);
  b.write('etc/group', GROUP);
  b.write('kernel', UBUNTU_KERNEL);
  // The file cloud-init writes, as the user data carries it.
  b.write(SYSCTL, cisFiles().find((f) => f.path === CIS_SYSCTL_PATH)!.content);
  boxes.push(b);
  return b;
}

const run = (b: NodeSandbox) =>
  b.run({ file: SCRIPT, args: [b.path(SYSCTL)] }, { CIS_PASSWD_FILE: b.path('etc/passwd'), CIS_GROUP_FILE: b.path('etc/group') });
const accountCalls = (b: NodeSandbox) => b.calls().filter((c) => /^(useradd|groupadd) /.test(c));

describe('cis-host.sh (the host side of the CIS profile, before every run of the bootstrap)', () => {
  it('passes shellcheck as committed', () => {
    expect(runValidator('shellcheck', ['--severity=style'], readFileSync(join(__dirname, '../../..', SCRIPT), 'utf8'), 'cis-host.sh')).toEqual({
      status: 0,
      output: '',
    });
  });

  it('on a fresh server: creates the etcd group, then the etcd system user in it, and puts the kernel parameters in force', () => {
    const b = host();
    const r = run(b);
    expect(r.status).toBe(0);
    expect(accountCalls(b)).toEqual([
      'groupadd --system etcd',
      'useradd --system --gid etcd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --comment etcd user etcd',
    ]);
    expect(b.read('etc/passwd')).toMatch(/^etcd:/m);
    expect(b.read('etc/group')).toMatch(/^etcd:/m);
    expect(b.calls()).toContain(`sysctl -q -p ${b.path(SYSCTL)}`);
    expect(b.read('kernel').split('\n').filter(Boolean).sort()).toEqual(
      ['kernel.panic=10', 'kernel.panic_on_oops=1', 'vm.overcommit_memory=1', 'vm.panic_on_oom=0'].sort(),
    );
    expect(r.output).toContain('created the etcd group');
    expect(r.output).toContain('created the etcd user');
    expect(r.output).toContain("host ready for RKE2's CIS profile");
  });

  it('run again (the bootstrap retried, or the server rebooted before it succeeded): creates nothing twice', () => {
    const b = host();
    expect(run(b).status).toBe(0);
    const r = run(b);
    expect(r.status).toBe(0);
    expect(accountCalls(b)).toHaveLength(2);
    expect(r.output).not.toContain('created');
  });

  it('with an etcd group already there (an image that ships one), adds only the user, in that group', () => {
    const b = host();
    b.write('etc/group', `${GROUP}etcd:x:997:\n`);
    expect(run(b).status).toBe(0);
    expect(accountCalls(b)).toEqual([expect.stringMatching(/^useradd --system --gid etcd .* etcd$/)]);
  });

  it('fails, naming each parameter, its value and the one RKE2 needs, when something else keeps a parameter at another value', () => {
    const b = host();
    b.write('kernel-pinned', 'kernel.panic\nvm.overcommit_memory\n');
    const r = run(b);
    expect(r.status).toBe(1);
    expect(r.output).toContain(
      `the kernel parameter kernel.panic is 0 after applying ${b.path(SYSCTL)}; RKE2's CIS profile needs 10 and refuses to start otherwise (is another sysctl file setting it?)`,
    );
    expect(r.output).toContain('the kernel parameter vm.overcommit_memory is 0 after applying');
    expect(r.output).not.toContain('host ready');
  });

  it('fails with the reason when the parameters cannot be applied', () => {
    const b = host();
    b.write('sysctl-fails', '');
    const r = run(b);
    expect(r.status).toBe(1);
    expect(r.output).toContain(`could not apply the kernel parameters of ${b.path(SYSCTL)}`);
    expect(r.output).not.toContain('host ready');
  });

  it('fails before touching the kernel when the etcd user cannot be created', () => {
    const b = host();
    b.write('useradd-fails', '');
    const r = run(b);
    expect(r.status).toBe(1);
    expect(r.output).toContain("could not create the etcd user that RKE2's CIS profile requires");
    expect(b.calls().filter((c) => c.startsWith('sysctl'))).toEqual([]);
  });
});
