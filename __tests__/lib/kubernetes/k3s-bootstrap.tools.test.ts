import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { runValidator } from '../../helpers/validators';
import { BOOTSTRAPPED_MARKER } from '../../../lib/kubernetes/private/server-units';

const SCRIPT = 'lib/kubernetes/k3s-bootstrap.sh';
const ENDPOINT_SCRIPT = 'lib/kubernetes/k3s-datastore-endpoint.sh';
const ENDPOINT = "'postgres://k3s:pw@rancher-db.abc.us-east-1.rds.amazonaws.com:5432/k3s?sslmode=require'";
const DROP_IN = 'etc/rancher/k3s/config.yaml.d/datastore.yaml';
const TLS = 'var/lib/rancher/k3s/server/tls';

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

/** K3s server `i` of two, sharing an RDS datastore. */
function node(i: number, options: { initialized?: boolean } = {}): NodeSandbox {
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
    K3S_INSTALL_URL: 'https://get.k3s.io',
    STATE_ATTEMPTS: '2',
  });
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
    expect(b.calls()).toContain('installer INSTALL_K3S_EXEC=server INSTALL_K3S_SKIP_START=true INSTALL_K3S_VERSION=v1.35.7+k3s1 ');
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
});
