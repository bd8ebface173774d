import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALLER_STUB, NodeSandbox, sha256 } from '../../helpers/node-sandbox';
import { runValidator } from '../../helpers/validators';
import { BOOTSTRAP_GIVE_UP_STATUS, BOOTSTRAPPED_MARKER } from '../../../lib/kubernetes/private/server-units';
import { releaseEnvironment } from '../../../lib/kubernetes/private/release-files';

const SCRIPT = 'lib/kubernetes/k3s-bootstrap.sh';
const ENDPOINT_SCRIPT = 'lib/kubernetes/k3s-datastore-endpoint.sh';
const ENDPOINT = "'postgres://k3s:pw@rancher-db.abc.us-east-1.rds.amazonaws.com:5432/k3s?sslmode=require'";
const DROP_IN = 'etc/rancher/k3s/config.yaml.d/datastore.yaml';
const TLS = 'var/lib/rancher/k3s/server/tls';

// The release as the download server holds it, and the sums the user data carries for it.
const BINARY_TEXT = 'the k3s binary\n';
const RELEASE = {
  K3S_INSTALL_URL: 'https://raw.githubusercontent.com/k3s-io/k3s/2d0f82fa2f933cd227fe38e1482558ce4769f464/install.sh',
  K3S_INSTALL_SHA256: sha256(INSTALLER_STUB),
  K3S_ARTIFACT_URL: 'https://github.com/k3s-io/k3s/releases/download/v1.35.7%2Bk3s1/k3s',
  K3S_ARTIFACT_SHA256: sha256(BINARY_TEXT),
  K3S_RELEASE_SUMS_URL: 'https://github.com/k3s-io/k3s/releases/download/v1.35.7%2Bk3s1/sha256sum-amd64.txt',
};
/** The release's own sums file as K3s publishes it: `<sum>  <file>` for each of its files. */
const RELEASE_SUMS = (file: string, sum: string) => `${sha256('images')}  k3s-airgap-images-amd64.tar\n${sum}  ${file}\n`;
const INSTALLED = 'installer INSTALL_K3S_EXEC=server INSTALL_K3S_SKIP_DOWNLOAD=binary INSTALL_K3S_SKIP_START=true INSTALL_K3S_VERSION=v1.35.7+k3s1 ';
const UNVERIFIED = 'var/lib/rancher/rancher-aws/unverified-artifact';

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

/** K3s server `i` of two, sharing an RDS datastore. */
function node(i: number, options: { initialized?: boolean; env?: Record<string, string> } = {}): NodeSandbox {
  const servers = ['10.0.0.10', '10.0.16.10'];
  const b = new NodeSandbox({
    NODE_ROLE: i === 0 ? 'init' : 'join',
    NODE_IP: servers[i],
    PEER_IPS: servers.filter((_, j) => j !== i).join(' '),
    PREVIOUS_SERVER_IPS: '',
    PEER_WAIT_SECONDS: '60',
    AWS_REGION: 'us-east-1',
    PARAMETER_PREFIX: '/rancher/rke-ha',
    K3S_VERSION: 'v1.35.7+k3s1',
    ...RELEASE,
    STATE_ATTEMPTS: '2',
    ...options.env,
  });
  b.release({ 'install.sh': INSTALLER_STUB, k3s: BINARY_TEXT, 'sha256sum-amd64.txt': RELEASE_SUMS('k3s', sha256(BINARY_TEXT)) });
  b.install(ENDPOINT_SCRIPT, 'rancher-aws-datastore-endpoint');
  b.parameter('token', 'K10abc::server:s3cret').parameter('datastore-endpoint', ENDPOINT);
  for (const name of ['server-ca-cert', 'server-ca-key', 'client-ca-cert', 'client-ca-key']) b.parameter(name, `${name}\n`);
  if (options.initialized) b.parameter('cluster-initialized', 'true');
  boxes.push(b);
  return b;
}

const started = (b: NodeSandbox) => b.calls().includes('systemctl start k3s.service');

describe('k3s-bootstrap.sh', () => {
  it.each([SCRIPT, ENDPOINT_SCRIPT])('%s passes shellcheck as committed', (file) => {
    expect(runValidator('shellcheck', ['--severity=style'], readFileSync(join(__dirname, '../../..', file), 'utf8'), 'script.sh')).toEqual({
      status: 0,
      output: '',
    });
  });

  it('first deploy, server-0: places the Terraform CAs and the datastore endpoint, installs without starting, then starts', () => {
    const b = node(0);
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(0);
    expect(b.read(DROP_IN)).toBe(`datastore-endpoint: ${ENDPOINT}\n`);
    expect(b.read(`${TLS}/server-ca.key`)).toBe('server-ca-key\n');
    expect(b.calls()).toContain(INSTALLED);
    expect(started(b)).toBe(true);
  });

  it('the cluster exists: starts at once, without a peer and without placing CAs (the datastore holds the bootstrap data)', () => {
    const b = node(1, { initialized: true });
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(0);
    expect(r.output).toContain('the datastore holds the cluster: starting without waiting for a peer');
    expect(b.slept()).toBe(0);
    expect(b.calls().some((c) => c.startsWith('ping'))).toBe(false);
    expect(b.exists(`${TLS}/server-ca.key`)).toBe(false);
    expect(started(b)).toBe(true);
  });

  it('first deploy, server-1: waits until server-0 answers, so two servers never initialize an empty datastore', () => {
    const b = node(1);
    b.write('live', '10.0.0.10 40\n');
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(0);
    expect(b.slept()).toBe(40);
    expect(b.exists(`${TLS}/server-ca.key`)).toBe(false);
    expect(started(b)).toBe(true);
  });

  it('first deploy, server-1: gives up without starting when server-0 never answers', () => {
    const b = node(1);
    const r = b.run({ file: SCRIPT });
    expect(r.status).toBe(1);
    expect(r.output).toContain('the cluster was never initialized: is the first server (server-0) running?');
    expect(started(b)).toBe(false);
  });
});

describe('k3s-datastore-endpoint.sh (before every start of K3s)', () => {
  it('picks up an endpoint Terraform changed in SSM (a replaced database) at the next start', () => {
    const b = node(0);
    b.write(DROP_IN, "datastore-endpoint: 'postgres://old'\n");
    const r = b.run({ file: ENDPOINT_SCRIPT });
    expect(r.status).toBe(0);
    expect(r.output).toContain('the datastore endpoint changed: using the new one');
    expect(b.read(DROP_IN)).toBe(`datastore-endpoint: ${ENDPOINT}\n`);
  });

  it('leaves an unchanged endpoint alone', () => {
    const b = node(0);
    b.write(DROP_IN, `datastore-endpoint: ${ENDPOINT}\n`);
    const r = b.run({ file: ENDPOINT_SCRIPT });
    expect(r.status).toBe(0);
    expect(r.output).not.toContain('changed');
  });

  it('keeps the last endpoint when SSM cannot be reached, so K3s still starts', () => {
    const b = node(0);
    b.write(DROP_IN, "datastore-endpoint: 'postgres://last'\n");
    b.write('ssm-down', '');
    const r = b.run({ file: ENDPOINT_SCRIPT });
    expect(r.status).toBe(0);
    expect(r.output).toContain('keeping the one from the last start');
    expect(b.read(DROP_IN)).toBe("datastore-endpoint: 'postgres://last'\n");
  });

  describe('rerun by rancher-aws-bootstrap.service until it succeeds once', () => {
    const MARKER = BOOTSTRAPPED_MARKER.slice(1);

    it('a run stopped because server-0 did not answer yet fails with a status the unit retries; the rerun starts K3s and records it', () => {
      const b = node(1);
      const first = b.run({ file: SCRIPT });
      expect(first.status).toBe(1);
      expect(b.exists(MARKER)).toBe(false);
      b.write('live', '10.0.0.10\n');
      expect(b.run({ file: SCRIPT }).status).toBe(0);
      expect(started(b)).toBe(true);
      expect(b.exists(MARKER)).toBe(true);
    });

    it('a rerun after K3s started does nothing but record that the bootstrap is done', () => {
      const b = node(0, { initialized: true });
      b.write('active', 'k3s.service\n');
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(0);
      expect(b.calls()).toEqual(['systemctl is-active --quiet k3s.service']);
      expect(b.exists(MARKER)).toBe(true);
    });
  });
  describe('installs only what matches its recorded sum', () => {
    it('a good binary is placed where the installer looks, and the installer runs without downloading it', () => {
      const b = node(0);
      expect(b.run({ file: SCRIPT }).status).toBe(0);
      expect(b.calls().filter((c) => c.startsWith('download'))).toEqual([
        `download ${RELEASE.K3S_INSTALL_URL}`,
        `download ${RELEASE.K3S_RELEASE_SUMS_URL}`,
        `download ${RELEASE.K3S_ARTIFACT_URL}`,
      ]);
      expect(b.read('usr/local/bin/k3s')).toBe(BINARY_TEXT);
      expect(b.calls()).toContain(INSTALLED);
    });

    it("the release's own sums file names another sum for the binary: refused naming both, nothing downloaded, placed or run", () => {
      const b = node(0);
      const other = sha256('a binary published again under the same tag\n');
      b.release({ 'sha256sum-amd64.txt': RELEASE_SUMS('k3s', other) });
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(1);
      expect(b.read(UNVERIFIED)).toBe(
        `refusing k3s of v1.35.7+k3s1: two records disagree: ${other} for k3s of v1.35.7+k3s1 in ${RELEASE.K3S_RELEASE_SUMS_URL}, ` +
          `the release's own sums, where the recorded sum is ${RELEASE.K3S_ARTIFACT_SHA256} (refusal 1 of 3, the next run downloads it again); nothing was installed\n`,
      );
      expect(b.calls()).not.toContain(`download ${RELEASE.K3S_ARTIFACT_URL}`);
      expect(b.exists('usr/local/bin/k3s')).toBe(false);
      expect(started(b)).toBe(false);
    });

    it('a changed binary is refused (one journal line, the marker and the metric, nothing placed or run), and the third refusal stops the boot for good (78)', () => {
      const b = node(0, { env: { RESTART_METRIC_NAMESPACE: 'RancherHA/prod-rke-ha' } });
      b.release({ k3s: 'another binary\n' });
      const refused = `refusing k3s of v1.35.7+k3s1 from ${RELEASE.K3S_ARTIFACT_URL}: its SHA-256 is ${sha256('another binary\n')}, the recorded sum is ${RELEASE.K3S_ARTIFACT_SHA256} (15 bytes of application/octet-stream;`;
      expect(b.run({ file: SCRIPT }).status).toBe(1);
      expect(b.read(UNVERIFIED)).toBe(`${refused} refusal 1 of 3, the next run downloads it again); nothing was installed\n`);
      expect(b.run({ file: SCRIPT }).status).toBe(1);
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(BOOTSTRAP_GIVE_UP_STATUS);
      const line = `${refused} refusal 3 of 3, giving up); nothing was installed`;
      expect(r.output.split('\n').filter((l) => l.includes('refusing'))).toEqual([`script.sh: ${line}`]);
      expect(b.read(UNVERIFIED)).toBe(`${line}\n`);
      expect(b.calls()).toContain('metric RancherHA/prod-rke-ha UnverifiedArtifact 1');
      expect(b.exists('usr/local/bin/k3s')).toBe(false);
      expect(b.calls().some((c) => c.startsWith('installer'))).toBe(false);
      expect(started(b)).toBe(false);
    });

    it('a sum the operator supplied (versions.releaseSums): arm64 at the pin, whose k3s-arm64 has no recorded sum; a match is placed, another build stops the boot', () => {
      const version = 'v1.35.7+k3s1';
      const lines = Object.fromEntries(releaseEnvironment('k3s', version, 'arm64', undefined, { [version]: { 'k3s-arm64': sha256(BINARY_TEXT) } }));
      expect(lines.K3S_ARTIFACT_URL).toBe('https://github.com/k3s-io/k3s/releases/download/v1.35.7%2Bk3s1/k3s-arm64');
      const env = {
        K3S_ARTIFACT_URL: lines.K3S_ARTIFACT_URL,
        K3S_ARTIFACT_SHA256: lines.K3S_ARTIFACT_SHA256,
        K3S_RELEASE_SUMS_URL: lines.K3S_RELEASE_SUMS_URL,
      };
      const armSums = { 'sha256sum-arm64.txt': RELEASE_SUMS('k3s-arm64', sha256(BINARY_TEXT)) };
      const good = node(0, { env });
      good.release({ 'k3s-arm64': BINARY_TEXT, ...armSums });
      expect(good.run({ file: SCRIPT }).status).toBe(0);
      expect(good.read('usr/local/bin/k3s')).toBe(BINARY_TEXT);
      expect(good.calls()).toContain(INSTALLED);
      const bad = node(0, { env });
      bad.release({ 'k3s-arm64': 'another arm64 build\n', ...armSums });
      const r = bad.run({ file: SCRIPT });
      expect(r.status).toBe(1);
      expect(r.output).toContain(
        `refusing k3s-arm64 of ${version} from ${lines.K3S_ARTIFACT_URL}: its SHA-256 is ${sha256('another arm64 build\n')}, the recorded sum is ${sha256(BINARY_TEXT)}`,
      );
      expect(bad.exists('usr/local/bin/k3s')).toBe(false);
    });

    it('a transfer that fails is tried again, and downloads that keep failing stop the run with a status the unit retries', () => {
      const flaky = node(0);
      flaky.write('download-errors/install.sh', '1');
      expect(flaky.run({ file: SCRIPT }).status).toBe(0);
      expect(flaky.calls()).toContain(INSTALLED);
      const down = node(0);
      down.write('download-down', '');
      const r = down.run({ file: SCRIPT });
      expect(r.status).toBe(1);
      expect(down.calls().filter((c) => c.startsWith('download'))).toHaveLength(5);
      expect(down.exists('usr/local/bin/k3s')).toBe(false);
    });

    it("the RHEL family behind closed egress: k3s-selinux from the image, the installer's RPM step skipped, the binary labelled as that step would", () => {
      const b = node(0, { env: { SELINUX_POLICY_FROM_IMAGE: 'true' } });
      b.write('rpms', 'container-selinux\nk3s-selinux\n');
      expect(b.run({ file: SCRIPT }).status).toBe(0);
      expect(b.calls()).toContain(
        'installer INSTALL_K3S_EXEC=server INSTALL_K3S_SKIP_DOWNLOAD=binary INSTALL_K3S_SKIP_SELINUX_RPM=true INSTALL_K3S_SKIP_START=true INSTALL_K3S_VERSION=v1.35.7+k3s1 ',
      );
      // k3s install.sh setup_selinux: skipping the RPM also skips its chcon of the binary, so the bootstrap does it.
      expect(b.calls()).toContain(`chcon -u system_u -r object_r -t container_runtime_exec_t ${b.path('usr/local/bin/k3s')}`);
    });

    it('the RHEL family behind closed egress, an image without k3s-selinux: refused for good (78) before any download', () => {
      const b = node(0, { env: { SELINUX_POLICY_FROM_IMAGE: 'true' } });
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(BOOTSTRAP_GIVE_UP_STATUS);
      expect(r.output).toContain('k3s-selinux is not installed on this image');
      expect(b.calls().filter((c) => c.startsWith('download') || c.startsWith('installer'))).toEqual([]);
    });

    it('an air gap: installer and binary from the mirror, checked against the same sums', () => {
      const b = node(0, {
        env: { K3S_INSTALL_URL: 'https://mirror.internal/k3s/install.sh', K3S_ARTIFACT_URL: 'https://mirror.internal/k3s/v1.35.7%2Bk3s1/k3s' },
      });
      b.release({ 'install.sh': `${INSTALLER_STUB}# a mirror's own edit\n` });
      const r = b.run({ file: SCRIPT });
      expect(r.status).toBe(1);
      expect(r.output).toContain('refusing install.sh of v1.35.7+k3s1 from https://mirror.internal/k3s/install.sh');
      expect(b.calls().filter((c) => c.startsWith('download'))).toEqual(['download https://mirror.internal/k3s/install.sh']);
    });
  });
});
