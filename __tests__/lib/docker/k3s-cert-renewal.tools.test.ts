import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datedCertificates } from '../../helpers/dated-certificates';
import { runValidator } from '../../helpers/validators';

/**
 * Runs lib/docker/k3s-cert-renewal.sh against a scratch root: the container's K3s data directory holds real
 * certificates (openssl) ending when each case says; `docker` is a stub whose restart renews them the way K3s does
 * at start (writes certificates valid for a year over the leaf ones), fails, or changes nothing; `curl` answers
 * Rancher's /ping as the case says; the signed AWS calls (aws_post, put_metric) are recorded.
 */
const SCRIPT = readFileSync(join(__dirname, '../../../lib/docker/k3s-cert-renewal.sh'), 'utf8');
const DAY = 86_400_000;
// A minute back: the script counts whole days from its own clock, so a certificate ending 29 days from NOW shows 28
// days left only once the script's clock is past NOW. Taking NOW as the time of loading raced it: a run inside the
// same second saw exactly 29 days (CI, stop 61). A minute of margin holds for any run under a day.
const NOW = Date.now() - 60_000;
// Whole seconds: openssl keeps no fraction.
const at = (days: number) => new Date(Math.floor((NOW + days * DAY) / 1000) * 1000);

const LEAVES = ['server/tls/client-admin.crt', 'server/tls/serving-kube-apiserver.crt', 'agent/serving-kubelet.crt'];
const CAS = ['server/tls/server-ca.crt', 'server/tls/client-ca.crt'];

const STUBS: Record<string, string> = {
  docker: `case "$1" in
  restart)
    if [ -f "$T/restart-error" ]; then cat "$T/restart-error" >&2; exit 1; fi
    if [ -f "$T/k3s-renews" ]; then for f in ${LEAVES.join(' ')}; do cp "$T/renewed.crt" "$T/k3s/$f"; done; fi ;;
esac`,
  curl: 'cat "$T/ping" 2>/dev/null || true',
};

const FAKE_BOOT_LIB = `
log() { echo "test: $*" >&2; }
aws_post() { echo "aws_post $1 $4" >>"$T/calls"; AWS_STATUS=200; }
put_metric() { echo "metric $1 $2" >>"$T/calls"; }
`;

interface Host {
  readonly dir: string;
  run(): { status: number | null; output: string };
  calls(): string[];
  leaves(pem: string): void;
  write(path: string, text: string): void;
}

describe('k3s-cert-renewal.sh', () => {
  let pki: ReturnType<typeof datedCertificates>;
  beforeAll(() => {
    pki = datedCertificates({ in29: at(29), ended: at(-3), in90: at(90), renewed: at(365), ca: at(3650) });
  });
  afterAll(() => pki.dispose());

  it('passes shellcheck as committed', () => {
    expect(runValidator('shellcheck', ['--severity=style'], SCRIPT, 'k3s-cert-renewal.sh')).toEqual({ status: 0, output: '' });
  });

  describe('on a scratch host', () => {
    let host: Host;
    beforeEach(() => {
      const dir = mkdtempSync(join(tmpdir(), 'k3s-renewal-'));
      const path = (p: string) => join(dir, p);
      mkdirSync(path('bin'));
      for (const [name, body] of Object.entries(STUBS)) {
        writeFileSync(path(`bin/${name}`), `#!/bin/bash\necho "${name} $*" >>"$T/calls"\n${body}\n`);
        chmodSync(path(`bin/${name}`), 0o755);
      }
      for (const sub of ['server/tls', 'agent']) mkdirSync(path(`k3s/${sub}`), { recursive: true });
      for (const ca of CAS) writeFileSync(path(`k3s/${ca}`), pki.pem.ca);
      writeFileSync(path('renewed.crt'), pki.pem.renewed);
      writeFileSync(path('lib.sh'), FAKE_BOOT_LIB);
      writeFileSync(path('docker.env'), 'AWS_REGION="us-east-1"\nPARAMETER_PREFIX="/demo/docker"\nRENEW_WITHIN_DAYS="60"\n');
      writeFileSync(path('ping'), 'pong');
      writeFileSync(path('k3s-renews'), '');
      const script = SCRIPT.replaceAll('/etc/rancher-aws/docker.env', path('docker.env'))
        .replaceAll('/usr/local/lib/rancher-aws/boot-lib.sh', path('lib.sh'))
        .replace('K3S_DIR=/var/lib/rancher/k3s', `K3S_DIR=${path('k3s')}`)
        .replace('STUCK=/var/lib/rancher/rancher-aws/', `STUCK=${path('state')}/`);
      writeFileSync(path('script.sh'), script);
      host = {
        dir,
        run() {
          const result = spawnSync('bash', [path('script.sh')], {
            env: { ...process.env, T: dir, PATH: `${path('bin')}:${process.env.PATH}`, READY_SECONDS: '2', POLL_SECONDS: '1' },
            encoding: 'utf8',
          });
          return { status: result.status, output: `${result.stdout}${result.stderr}` };
        },
        calls: () => (existsSync(path('calls')) ? readFileSync(path('calls'), 'utf8').trimEnd().split('\n') : []),
        leaves: (pem) => LEAVES.forEach((leaf) => writeFileSync(path(`k3s/${leaf}`), pem)),
        write: (p, text) => writeFileSync(path(p), text),
      };
    });
    afterEach(() => rmSync(host.dir, { recursive: true, force: true }));

    const rfc3339 = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
    /** The report to SSM: the end written over the parameter Terraform made. */
    const report = (end: Date) =>
      `aws_post ssm {"Name":"/demo/docker/k3s-certificate-end/rancher","Value":"${rfc3339(end)}","Type":"String","Overwrite":true}`;
    const metrics = () => host.calls().filter((c) => c.startsWith('metric '));
    const docker = () => host.calls().filter((c) => c.startsWith('docker '));

    it.each([
      ['ends in 29 days', 'in29', 29],
      ['already ended', 'ended', -3],
    ] as const)('certificates that %s: restarts the same container, waits for /ping, and reports the renewed end', (_what, cert, days) => {
      host.leaves(pki.pem[cert]);
      const result = host.run();
      expect(result.status).toBe(0);
      expect(docker()).toEqual(['docker restart --time 60 rancher']);
      expect(host.calls().filter((c) => c.startsWith('aws_post'))).toEqual([report(at(days)), report(at(365))]);
      expect(metrics()).toEqual([
        `metric K3sCertificateDaysLeft ${days > 0 ? days - 1 : days}`,
        'metric K3sCertificateDaysLeft 364',
        'metric K3sCertificateRenewalFailed 0',
      ]);
      expect(result.output).toContain(`restarting container rancher to renew them`);
      expect(result.output).toContain(`renewed: the K3s certificates now end ${rfc3339(at(365))}`);
    });

    it('leaves certificates with 90 days left alone, and reports their end', () => {
      host.leaves(pki.pem.in90);
      const result = host.run();
      expect(result.status).toBe(0);
      expect(docker()).toEqual([]);
      expect(host.calls()).toEqual([report(at(90)), 'metric K3sCertificateDaysLeft 89']);
      expect(result.output).toContain('client-admin.crt, 89 days): nothing to do');
    });

    it('skips the CAs (ten years, never renewed at start) and does nothing before Rancher first started', () => {
      expect(host.run()).toMatchObject({ status: 0 });
      expect(host.calls()).toEqual([]);
    });

    it('keeps the old container when the restart fails, starting it again, and says why', () => {
      host.leaves(pki.pem.in29);
      host.write('restart-error', 'Error response from daemon: Cannot restart container rancher: driver failed programming external connectivity');
      const result = host.run();
      expect(result.status).toBe(1);
      expect(docker()).toEqual(['docker restart --time 60 rancher', 'docker start rancher']);
      expect(result.output).toContain(
        'CRITICAL: docker restart rancher failed (Error response from daemon: Cannot restart container rancher: driver failed programming external connectivity); the container is kept as it was',
      );
      expect(metrics()).toEqual(['metric K3sCertificateDaysLeft 28', 'metric K3sCertificateRenewalFailed 1']);
    });

    it('says so when Rancher does not answer after the restart, and leaves the container as it is', () => {
      host.leaves(pki.pem.in29);
      host.write('ping', '');
      const result = host.run();
      expect(result.status).toBe(1);
      expect(result.output).toContain(
        'CRITICAL: Rancher did not answer /ping within 2 s of the restart; the container is kept as it is (docker logs rancher)',
      );
      expect(docker()).toEqual(['docker restart --time 60 rancher']);
      expect(metrics().pop()).toBe('metric K3sCertificateRenewalFailed 1');
    });

    it('stops restarting after a restart that renewed nothing, until a person removes the mark', () => {
      host.leaves(pki.pem.in29);
      rmSync(join(host.dir, 'k3s-renews'));
      const first = host.run();
      expect(first.status).toBe(1);
      expect(first.output).toContain(`CRITICAL: the restart renewed nothing: ${join(host.dir, 'k3s')}/`);
      expect(first.output).toContain(`still ends ${rfc3339(at(29))}`);
      host.write('calls', '');
      const second = host.run();
      expect(second.status).toBe(1);
      expect(docker()).toEqual([]);
      expect(second.output).toContain('a restart did not renew the K3s certificates before');
      expect(metrics()).toEqual(['metric K3sCertificateDaysLeft 28', 'metric K3sCertificateRenewalFailed 1']);
    });
  });
});
