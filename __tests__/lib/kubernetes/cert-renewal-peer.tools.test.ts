import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { nodeName, stubCluster } from '../../helpers/stub-cluster';
import { runBounded } from '../../helpers/subprocess';

// cert-renewal.sh on a server every leaf certificate of which ended in one batch while its service ran (issue 62
// item 8a): its member still votes (TLS checks validity at the handshake only), its own API refuses its admin, its
// kubelet cannot report (its Node NotReady). The run goes through a peer's API with a client certificate it signs
// (peer_access) and restarts its service under the restart Lease, its guard passing over its own Node and member and
// over no other. Real certificates (openssl 3.0) under one test CA that stands for the server, client and etcd CAs;
// the stubs (helpers/node-stubs) check them as the API server, etcd and curl do: chain and dates at each connection.

const SCRIPT = 'lib/kubernetes/cert-renewal.sh';
const TOKEN = 'K10e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855::server:s3cret';
const IPS = ['10.0.0.10', '10.0.16.10', '10.0.32.10'];

let pki: string;
const pem = (name: string) => readFileSync(join(pki, name), 'utf8');
beforeAll(() => {
  pki = mkdtempSync(join(tmpdir(), 'peer-pki-'));
  writeFileSync(join(pki, 'index.txt'), '');
  writeFileSync(join(pki, 'serial'), '01\n');
  writeFileSync(
    join(pki, 'ca.cnf'),
    `[ca]\ndefault_ca = test\n[test]\ndatabase = ${pki}/index.txt\nnew_certs_dir = ${pki}\nserial = ${pki}/serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n[v3_ca]\nbasicConstraints = critical,CA:true\nkeyUsage = critical,keyCertSign,cRLSign\n`,
  );
  const r = runBounded(
    'bash',
    [
      '-euo',
      'pipefail',
      '-c',
      [
        // The CA (Terraform's, ten years); a leaf that ended on 2025-01-01, signed in 2024; one valid for a year.
        'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.csr -subj /CN=cluster-ca 2>/dev/null',
        'openssl ca -batch -config ca.cnf -selfsign -keyfile ca.key -in ca.csr -out ca.crt -startdate 20230101000000Z -enddate 20330101000000Z -extensions v3_ca -notext 2>/dev/null',
        'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr -subj /CN=leaf 2>/dev/null',
        'openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in leaf.csr -out expired.crt -startdate 20240101000000Z -enddate 20250101000000Z -notext 2>/dev/null',
        'openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -out valid.crt 2>/dev/null',
        // A CA of its own that is not the cluster's, for a client certificate the API server must refuse.
        'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key -out other.crt -subj /CN=other-ca -days 2 2>/dev/null',
        '! openssl x509 -checkend 0 -noout -in expired.crt',
        'openssl verify -CAfile ca.crt -attime 1720000000 expired.crt >/dev/null',
      ].join('\n'),
    ],
    { cwd: pki },
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
});
afterAll(() => rmSync(pki, { recursive: true, force: true }));
const stub = stubCluster(IPS);
const events = () => stub.events();

describe.each([
  ['rke2', 'rke2-server', 'etcd/peer-server-client.crt'],
  ['k3s', 'k3s', 'serving-kube-apiserver.crt'],
] as const)('cert-renewal.sh on a %s server whose certificates all ended while %s ran', (dist, service, membership) => {
  const TLS_DIR = `var/lib/rancher/${dist}/server/tls`;
  // One batch, one end: what the first start signed a year ago, and what the next start signs again.
  const LEAVES = [
    `${TLS_DIR}/serving-kube-apiserver.crt`,
    `${TLS_DIR}/client-admin.crt`,
    `var/lib/rancher/${dist}/agent/client-kubelet.crt`,
    ...(dist === 'rke2' ? [`${TLS_DIR}/etcd/peer-server-client.crt`, `${TLS_DIR}/etcd/server-client.crt`, `${TLS_DIR}/etcd/client.crt`] : []),
  ];

  /** Server 0, its service started in mid-2024 (before the leaves' end), the other two whole. */
  const endedWhileRunning = () => {
    const b = new NodeSandbox({
      NODE_IP: IPS[0],
      NODE_NAME: nodeName(IPS[0]),
      PEER_IPS: IPS.slice(1).join(' '),
      AWS_REGION: 'us-east-1',
      PARAMETER_PREFIX: '/rancher/rke-ha',
    });
    stub.keep(b);
    b.write(`etc/rancher/${dist}/token`, TOKEN);
    b.parameter('server-count', '3');
    for (const leaf of LEAVES) {
      b.write(leaf, pem('expired.crt'));
      b.write(`renewed/${leaf}`, pem('valid.crt'));
    }
    for (const ca of ['server-ca', 'client-ca', 'etcd/server-ca']) {
      b.write(`${TLS_DIR}/${ca}.crt`, pem('ca.crt'));
      b.write(`${TLS_DIR}/${ca}.key`, pem('ca.key'));
    }
    b.write('active', `${service}\n`);
    b.write(`active-since-${service}`, 'Mon 2024-07-01 12:00:00 UTC');
    // The peers' supervisors answer (RKE2's /db/info, read at a peer).
    b.write('live', `${IPS[1]}\n${IPS[2]}\n`);
    b.write('tmp/.keep', '');
    return b;
  };
  const run = (b: NodeSandbox) => b.run({ file: SCRIPT, args: [dist] }, { CLUSTER: stub.dir, TMPDIR: b.path('tmp') });
  const minted = (b: NodeSandbox) =>
    runBounded('openssl', [
      'x509',
      '-noout',
      '-subject',
      '-startdate',
      '-enddate',
      '-ext',
      'basicConstraints,extendedKeyUsage',
      '-in',
      b.path('presented-admin.crt'),
    ]);
  const stopsOrRestarts = (b: NodeSandbox) =>
    b.calls().filter((c) => c.startsWith('systemctl restart') || c.startsWith('systemctl stop') || c.startsWith(`${dist} certificate`));

  it('the rest of the cluster whole: through a peer with a client certificate it signs, it takes the Lease, restarts, is back renewed, gives the Lease back', () => {
    const b = endedWhileRunning();
    const r = run(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain(
      `${b.path(`${TLS_DIR}/${membership}`)} ended while ${service} ran (started before its end): a restart under the Lease renews it`,
    );
    // K3s keeps its data in an external datastore: no etcd member, no vote, for or against.
    if (dist === 'k3s') expect(r.output).not.toMatch(/etcd|voter/);
    expect(events()).toEqual(['lease ip-10-0-0-10', 'restart ip-10-0-0-10', 'up ip-10-0-0-10', 'released ip-10-0-0-10']);
    expect(r.output).toContain(`${service} restarted on ip-10-0-0-10: certificates renewed`);
    expect(stopsOrRestarts(b)).toEqual([`systemctl restart --no-block ${service}`]);
    for (const leaf of LEAVES) expect(b.read(leaf)).toBe(pem('valid.crt'));
    // The Lease was written through a peer, as this timer's own user in system:masters, a client certificate, not a CA.
    expect(b.calls().some((c) => c.startsWith('kubectl') && c.includes(`--server https://${IPS[1]}:6443`) && c.includes('create -f -'))).toBe(true);
    const cert = minted(b);
    expect(cert.status).toBe(0);
    expect(cert.stdout).toMatch(/subject=O = system:masters, CN = rancher-aws-cert-renewal:ip-10-0-0-10\n/);
    expect(cert.stdout).toMatch(/TLS Web Client Authentication/);
    expect(cert.stdout).not.toMatch(/CA:TRUE/);
    const days = (field: string) => Date.parse(new RegExp(`${field}=(.*)`).exec(cert.stdout)![1]);
    expect(days('notAfter') - days('notBefore')).toBeLessThanOrEqual(86400_000);
    if (dist === 'rke2') {
      // etcd read at the peer's supervisor, every member asked with a client signed by the etcd CA: the others
      // before the restart (its own member's serving certificate had ended), all three after it.
      expect(b.calls()).toContain(`db/info ${IPS[1]} user = "server:s3cret"`);
      const health = b.calls().filter((c) => c.startsWith('etcd-health '));
      expect(health.filter((c) => c === `etcd-health ${IPS[0]}`).length).toBeGreaterThan(0);
      expect(b.calls().filter((c) => c.startsWith('etcd-client ')).length).toBe(health.length);
    }
    // The signed key did not outlive the run.
    expect(readdirSync(b.path('tmp'))).toEqual(['.keep']);
  });

  it.each([
    ['TERM', 'removed by the EXIT trap: no key anywhere'],
    ['KILL', "no trap runs: the key is only in the unit's RuntimeDirectory (memory), which systemd removes when the unit stops"],
  ])('a run killed with SIG%s right after it signed its peer client key: %s', (signal) => {
    const b = endedWhileRunning();
    // The run's sleep right after the signing (the wait for a peer's clock) kills the run, as systemctl kill or the OOM killer would.
    b.write('bin/sleep', `#!/bin/bash\nfind "$RUNTIME_DIRECTORY" -name '*.key' >"$T/keys-when-killed"\nkill -${signal} $PPID\n`);
    b.write('run/rancher-aws-cert-renewal/.keep', '');
    const r = b.run(
      { file: SCRIPT, args: [dist] },
      { CLUSTER: stub.dir, TMPDIR: b.path('tmp'), RUNTIME_DIRECTORY: b.path('run/rancher-aws-cert-renewal') },
    );
    expect(r.status).toBe(signal === 'TERM' ? 143 : null);
    expect(b.read('keys-when-killed')).toMatch(/\/a\.key\n/);
    const keys = (dir: string) =>
      runBounded('find', [b.path(dir), '-name', '*.key'])
        .stdout.trim()
        .split('\n')
        .filter(Boolean);
    // Never under TMPDIR (disk), whatever the signal.
    expect(keys('tmp')).toEqual([]);
    expect(keys('run/rancher-aws-cert-renewal').length).toBe(signal === 'TERM' ? 0 : dist === 'rke2' ? 2 : 1);
    expect(events()).toEqual([]);
  });

  it('its own Node NotReady (its kubelet cannot report) is passed over, and no other: with another server NotReady it is refused, nothing restarted', () => {
    const b = endedWhileRunning();
    writeFileSync(join(stub.dir, 'not-ready'), `${nodeName(IPS[2])}\n`);
    const r = run(b);
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/servers not Ready: ip-10-0-0-10=Unknown ip-10-0-32-10=False/);
    expect(r.output).toContain('the cluster is not whole or an upgrade is under way');
    expect(events()).toEqual([]);
    expect(stopsOrRestarts(b)).toEqual([]);
    expect(readdirSync(b.path('tmp'))).toEqual(['.keep']);
  });

  it("a client certificate the client CA did not sign (a server holding another CA's key) is refused by every peer: loud, nothing restarted", () => {
    const b = endedWhileRunning();
    b.write(`${TLS_DIR}/client-ca.crt`, pem('other.crt'));
    b.write(`${TLS_DIR}/client-ca.key`, pem('other.key'));
    // The peers verify with the cluster's client CA.
    writeFileSync(join(stub.dir, 'client-ca.crt'), pem('ca.crt'));
    const r = run(b);
    expect(r.output).toContain("CRITICAL: no peer's API answers");
    expect(events()).toEqual([]);
    expect(stopsOrRestarts(b)).toEqual([]);
    expect(readdirSync(b.path('tmp'))).toEqual(['.keep']);
  });
});
