import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  K3S_BOOTSTRAP_PATH,
  K3S_DATASTORE_ENDPOINT_PATH,
  K3S_DROP_IN_PATH,
  k3sConfig,
  k3sUserData,
} from '../../../lib/kubernetes/private/k3s-user-data';
import { SERVER_START_TIMEOUT } from '../../../lib/kubernetes/private/start-timeout';
import type { ServerNodeIdentity } from '../../../lib/kubernetes/private/node-identity';
import { serverUnits } from '../../../lib/kubernetes/private/server-units';
import { BOOT_LIB_PATH, shipped } from '../../../lib/nodes/private/boot-files';
import { tokenExpression } from '../../helpers/synth';
import { BOOT_LIB } from '../../helpers/node-sandbox';
import type { CloudConfigFile } from '../../helpers/validators';
import { REFERENCES, render, base, init, airGapped, file } from './k3s-user-data.setup';

/** What a server gets: the scripts without their comment lines (shipped). */
const SCRIPT = shipped(readFileSync(join(__dirname, '../../../lib/kubernetes/k3s-bootstrap.sh'), 'utf8'));
const ENDPOINT_SCRIPT = shipped(readFileSync(join(__dirname, '../../../lib/kubernetes/k3s-datastore-endpoint.sh'), 'utf8'));

const joining: ServerNodeIdentity = {
  role: 'join',
  nodeIp: '10.0.16.10',
  peerIps: ['10.0.0.10'],
  region: 'us-east-1',
  parameterPrefix: '/rancher/rke-ha',
};

describe('k3sUserData (defaults)', () => {
  const raw = k3sUserData(base, init);
  const userData = render(raw);
  const doc = parse(userData) as { write_files: (CloudConfigFile & { owner: string })[]; runcmd: string[][] };
  const files = doc.write_files;

  it('writes config, env file, boot helpers, the endpoint script and its K3s drop-in, the bootstrap and restore-record scripts, root-owned', () => {
    expect(files.map((f) => [f.path, f.owner, f.permissions])).toEqual([
      ['/etc/rancher/k3s/config.yaml', 'root:root', '0600'],
      ['/etc/rancher/bootstrap.env', 'root:root', '0600'],
      [BOOT_LIB_PATH, 'root:root', '0644'],
      [K3S_DATASTORE_ENDPOINT_PATH, 'root:root', '0700'],
      [K3S_DROP_IN_PATH, 'root:root', '0644'],
      [K3S_BOOTSTRAP_PATH, 'root:root', '0700'],
      ['/usr/local/sbin/rancher-aws-restore', 'root:root', '0700'],
      ['/etc/systemd/system/k3s.service.d/rancher-aws-start-timeout.conf', 'root:root', '0644'],
      ...serverUnits('k3s', K3S_BOOTSTRAP_PATH).files.map((f) => [f.path, 'root:root', f.permissions]),
    ]);
  });

  it("bounds every start of K3s (its ExecStartPre steps included): K3s' own unit sets TimeoutStartSec=0, no bound", () => {
    expect(file(files, '/etc/systemd/system/k3s.service.d/rancher-aws-start-timeout.conf').content).toBe(
      `[Service]\nTimeoutStartSec=${SERVER_START_TIMEOUT}\n`,
    );
  });

  it('reads the datastore endpoint from SSM before every start of K3s (a systemd drop-in for k3s.service)', () => {
    expect(file(files, K3S_DROP_IN_PATH).content).toBe('[Service]\nExecStartPre=/usr/local/sbin/rancher-aws-datastore-endpoint\n');
    expect(file(files, K3S_DATASTORE_ENDPOINT_PATH).content).toBe(ENDPOINT_SCRIPT);
    expect(SCRIPT).toContain('/usr/local/sbin/rancher-aws-datastore-endpoint');
  });

  it('writes the K3s config: token file, tls-san from the references, private kubeconfig', () => {
    expect(parse(file(files, '/etc/rancher/k3s/config.yaml').content)).toEqual({
      'token-file': '/etc/rancher/k3s/token',
      'tls-san': ['rancher.example.com', 'rancher-nlb-0123456789.elb.us-east-1.amazonaws.com'],
      'write-kubeconfig-mode': '0600',
    });
  });

  it('writes no registries.yaml without mirrors', () => {
    expect(files.some((f) => f.path.endsWith('registries.yaml'))).toBe(false);
  });

  it('writes the identity, the pinned version and the default installer into the env file', () => {
    expect(file(files, '/etc/rancher/bootstrap.env').content).toBe(
      [
        'NODE_ROLE="init"',
        'NODE_IP="10.0.0.10"',
        'PEER_IPS="10.0.16.10"',
        'PREVIOUS_SERVER_IPS=""',
        'PEER_WAIT_SECONDS="1800"',
        'AWS_REGION="us-east-1"',
        'PARAMETER_PREFIX="/rancher/rke-ha"',
        'K3S_VERSION="v1.35.7+k3s1"',
        'K3S_INSTALL_URL="https://raw.githubusercontent.com/k3s-io/k3s/2d0f82fa2f933cd227fe38e1482558ce4769f464/install.sh"',
        'K3S_INSTALL_SHA256="ed01f89fd977bf20ac1516bbebf8370bf3ddbaa55dac8aba610956a4c78cc00b"',
        'K3S_ARTIFACT_URL="https://github.com/k3s-io/k3s/releases/download/v1.35.7%2Bk3s1/k3s"',
        'K3S_ARTIFACT_SHA256="5fc25309c53031e0cf03f7ee85f6f60969381ff3649039ffda19e30f5c26947a"',
        'K3S_RELEASE_SUMS_URL="https://github.com/k3s-io/k3s/releases/download/v1.35.7%2Bk3s1/sha256sum-amd64.txt"',
        '',
      ].join('\n'),
    );
  });

  it('runs the bootstrap script through its unit (until it succeeds once), written byte-for-byte after Terraform rendering', () => {
    expect(doc.runcmd).toEqual(serverUnits('k3s', K3S_BOOTSTRAP_PATH).runcmd);
    expect(file(files, '/etc/systemd/system/rancher-aws-bootstrap.service').content).toContain(`ExecStart=${K3S_BOOTSTRAP_PATH}\n`);
    expect(file(files, '/etc/systemd/system/rancher-aws-cert-renewal.service').content).toContain(
      'ExecStart=/usr/local/sbin/rancher-aws-cert-renewal k3s\n',
    );
    expect(K3S_BOOTSTRAP_PATH).toBe('/usr/local/sbin/k3s-bootstrap.sh');
    expect(file(files, K3S_BOOTSTRAP_PATH).content).toBe(SCRIPT);
    expect(file(files, BOOT_LIB_PATH).content).toBe(shipped(BOOT_LIB));
  });

  it('escapes the shell syntax Terraform would read as a template', () => {
    // Unrendered, the script's ${...} are $${...}; the only live references are the tls-san ones.
    expect(raw).toContain('$${0##*/}');
    const live = [...raw.matchAll(/(?<!\$)\$\{([^}]*)\}/g)].map((m) => tokenExpression(m[1]));
    expect(new Set(live)).toEqual(new Set(Object.keys(REFERENCES)));
  });

  it('carries no secret: no token, datastore endpoint, key or certificate', () => {
    expect(userData).not.toMatch(/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/);
    expect(userData).not.toMatch(/^\s*(token|datastore-endpoint):/m);
    expect(userData).not.toMatch(/(postgres|mysql):\/\//);
  });

  // Its size is not EC2's to bound: it is the boot document the servers' loader reads from S3 (issue 76); the user
  // data EC2 limits is the loader, held for both distributions by __tests__/app/stacks/rke-ha-user-data-size.test.ts.

  it('writes the joining role for other servers', () => {
    const env = file((parse(render(k3sUserData(base, joining))) as typeof doc).write_files, '/etc/rancher/bootstrap.env').content;
    expect(env.split('\n').slice(0, 3)).toEqual(['NODE_ROLE="join"', 'NODE_IP="10.0.16.10"', 'PEER_IPS="10.0.0.10"']);
  });

  it('rejects env values that would break out of their quotes', () => {
    expect(() => k3sUserData({ ...base, version: 'v1"; reboot; "' }, init)).toThrow(/K3S_VERSION/);
    expect(() => k3sUserData(base, { ...init, nodeIp: '`reboot`' })).toThrow(/NODE_IP/);
  });
});

describe('k3sUserData (air gap and proxy)', () => {
  const userData = render(k3sUserData(airGapped, init));
  const files = (parse(userData) as { write_files: CloudConfigFile[] }).write_files;

  it('sets the system default registry in the config', () => {
    expect(parse(file(files, '/etc/rancher/k3s/config.yaml').content)).toEqual({
      'token-file': '/etc/rancher/k3s/token',
      'tls-san': ['rancher.example.com', 'rancher-nlb-0123456789.elb.us-east-1.amazonaws.com'],
      'write-kubeconfig-mode': '0600',
      'system-default-registry': 'registry.internal:5000',
    });
  });

  it('writes registries.yaml with every mirror, root-only, beside the config', () => {
    const registries = file(files, '/etc/rancher/k3s/registries.yaml');
    expect(registries.permissions).toBe('0600');
    expect(parse(registries.content)).toEqual({
      mirrors: {
        'docker.io': { endpoint: ['https://mirror.internal'] },
        'quay.io': { endpoint: ['https://quay-mirror.internal', 'https://quay-mirror2.internal'] },
      },
    });
    expect(files.map((f) => f.path).slice(0, 3)).toEqual([
      '/etc/rancher/k3s/config.yaml',
      '/etc/rancher/k3s/registries.yaml',
      '/etc/rancher/bootstrap.env',
    ]);
  });

  it('writes the installer mirror and the proxy variables after the identity', () => {
    const lines = file(files, '/etc/rancher/bootstrap.env').content.split('\n');
    expect(lines.slice(7)).toEqual([
      'K3S_VERSION="v1.35.7+k3s1"',
      'K3S_INSTALL_URL="https://mirror.internal/k3s/install.sh"',
      'K3S_INSTALL_SHA256="ed01f89fd977bf20ac1516bbebf8370bf3ddbaa55dac8aba610956a4c78cc00b"',
      'K3S_ARTIFACT_URL="https://mirror.internal/k3s/v1.35.7%2Bk3s1/k3s"',
      'K3S_ARTIFACT_SHA256="5fc25309c53031e0cf03f7ee85f6f60969381ff3649039ffda19e30f5c26947a"',
      'HTTP_PROXY="http://proxy.internal:3128"',
      'HTTPS_PROXY="http://proxy.internal:3128"',
      'NO_PROXY="localhost,127.0.0.1,0.0.0.0,169.254.169.254,.svc,.cluster.local,10.0.0.0/16,10.42.0.0/16,10.43.0.0/16,.corp.internal"',
      '',
    ]);
  });
});

describe('k3sConfig', () => {
  it('has exactly the documented keys, and the registry only when set', () => {
    expect(Object.keys(k3sConfig(base))).toEqual(['token-file', 'tls-san', 'write-kubeconfig-mode']);
    expect(Object.keys(k3sConfig(airGapped))).toEqual(['token-file', 'tls-san', 'write-kubeconfig-mode', 'system-default-registry']);
  });

  it('leaves the datastore endpoint to the boot-time drop-in', () => {
    expect(k3sConfig(airGapped)).not.toHaveProperty('datastore-endpoint');
    expect(ENDPOINT_SCRIPT).toContain(`fetch_to datastore-endpoint "$TARGET" 'datastore-endpoint: '`);
  });
});
