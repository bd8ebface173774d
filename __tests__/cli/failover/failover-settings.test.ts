import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caChecksum, failover } from '../../../cli/failover/failover';
import { IoHost } from '../../../cli/shared/io/io-host';
import { PlainRenderer } from '../../../cli/shared/io/plain-renderer';
import { scratchFolder } from '../../helpers/scratch';
import {
  caMemberOf,
  failoverScopeProblem,
  FAILOVER_TAG,
  standbyClusterProblem,
  standbyName,
  standbySettings,
} from '../../../cli/failover/failover-settings';

const PRODUCTION = {
  name: 'rancher',
  region: 'eu-west-1',
  hostname: 'rancher.example.com',
  hostedZone: 'example.com',
  standby: { region: 'us-west-2' },
  rancher: { tls: { mode: 'ingress', issuer: 'ca' }, version: '2.15.2' },
  rkeHa: { sshKeyName: 'ops', existingNetwork: { vpcId: 'vpc-1' }, loadBalancer: { deletionProtection: true }, instanceType: 'm7i.xlarge' },
  backups: { schedule: '0 */4 * * *' },
};
const CHOICE = {
  name: 'rancher-sb',
  region: 'us-west-2',
  file: 'b.tar.gz.enc',
  bucket: 'copy',
  productionName: 'rancher',
  state: { bucket: 'rancher-rke-ha-state-sb-1' },
} as const;

describe("a failover's standby settings", () => {
  it("keep production's hostname, zone, TLS, versions and schedule; change only what it must not share", () => {
    expect(standbySettings(PRODUCTION, CHOICE)).toEqual({
      ...PRODUCTION,
      name: 'rancher-sb',
      region: 'us-west-2',
      // Its state in the standby region's bucket that production's apply made (lib/standby/standby-state.ts).
      backend: { type: 's3', bucket: 'rancher-rke-ha-state-sb-1', key: 'rancher/<stack>.tfstate', region: 'us-west-2' },
      tags: { [FAILOVER_TAG]: 'rancher' },
      standby: undefined,
      rancher: { ...PRODUCTION.rancher, bootstrap: { enabled: false } },
      // No disarm: the standby takes production's credentials over.
      backups: { schedule: '0 */4 * * *', enabled: true, restoreFrom: { file: 'b.tar.gz.enc', bucket: 'copy' } },
      rkeHa: { instanceType: 'm7i.xlarge', loadBalancer: { deletionProtection: true, type: 'nlb', hostnameRecord: false } },
    });
    expect('standby' in standbySettings(PRODUCTION, CHOICE)).toBe(false);
    expect(PRODUCTION.rkeHa.sshKeyName).toBe('ops');
  });

  it('keep its state in a local file only when asked for', () => {
    expect(standbySettings(PRODUCTION, { ...CHOICE, state: 'local' }).backend).toEqual({ type: 'local', path: 'terraform.<stack>.tfstate' });
  });

  it('name the standby within the 16 characters the name setting allows', () => {
    expect(standbyName('rancher')).toBe('rancher-sb');
    expect(standbyName('a-very-long-name')).toBe('a-very-long-n-sb');
    expect(standbyName('abcdefghijkl-x')).toBe('abcdefghijkl-sb');
  });

  it.each([
    [{ rancher: { tls: { mode: 'external' } } }, 'rancher.tls.mode external'],
    [{ rancher: { tls: { issuer: 'acme' } } }, 'rancher.tls.issuer acme'],
    [{ rkeHa: { loadBalancer: { type: 'dns' } } }, 'rkeHa.loadBalancer.type dns'],
  ])('refuse %j up front, naming the field and value', (settings, named) => {
    expect(failoverScopeProblem(settings)).toContain(named);
  });

  it('accept the TLS choices whose CA the standby keeps', () => {
    for (const tls of [{}, { issuer: 'ca' }, { issuer: 'blank' }, { issuer: 'blank', privateCA: true }, { mode: 'rancher' }])
      expect(failoverScopeProblem({ rancher: { tls } })).toBeUndefined();
  });

  it("name the backup member that carries the agents' CA", () => {
    expect(caMemberOf({})?.file).toBe('secrets.#v1/cattle-system/tls-rancher.json');
    expect(caMemberOf({ rancher: { tls: { issuer: 'ca' } } })?.file).toBe('secrets.#v1/cattle-system/tls-ca.json');
    expect(caMemberOf({ rancher: { tls: { issuer: 'blank', privateCA: true } } })?.file).toBe('secrets.#v1/cattle-system/tls-ca.json');
    expect(caMemberOf({ rancher: { tls: { issuer: 'blank' } } })).toBeUndefined();
  });

  it('checksum a CA as agents do: trimmed, one newline', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----';
    const expected = createHash('sha256').update(`${pem}\n`).digest('hex');
    expect(caChecksum(pem)).toBe(expected);
    expect(caChecksum(`\n${pem}\n\n`)).toBe(expected);
  });
});

const K8S_PRODUCTION = {
  name: 'rancher',
  region: 'eu-west-1',
  hostname: 'rancher.example.com',
  hostedZone: 'example.com',
  rancher: { tls: { mode: 'ingress', issuer: 'rancher' } },
  backups: { credentials: 'irsa' },
  k8sHa: {
    access: { kubeconfig: { path: '~/.kube/prod', context: 'prod' } },
    ingress: { className: 'nginx', service: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' } },
    certManager: { install: false },
    eks: { clusterName: 'prod' },
    dns: { target: 'prod-nlb-1a.elb.eu-west-1.amazonaws.com' },
  },
  standby: { region: 'us-west-2', k8sHa: { access: { kubeconfig: { path: '~/.kube/standby' } }, eks: { clusterName: 'standby' } } },
};

describe("k8s-ha's standby settings", () => {
  it("run on the standby's cluster, with production's ingress and cert-manager, and none of production's cluster name or record target", () => {
    const standby = standbySettings(K8S_PRODUCTION, { ...CHOICE, stack: 'k8s-ha' });
    expect(standby).toMatchObject({
      name: 'rancher-sb',
      region: 'us-west-2',
      rancher: { bootstrap: { enabled: false } },
      backups: { credentials: 'irsa', enabled: true, restoreFrom: { file: 'b.tar.gz.enc', bucket: 'copy' } },
    });
    expect(standby.k8sHa).toEqual({
      access: { kubeconfig: { path: '~/.kube/standby' } },
      ingress: K8S_PRODUCTION.k8sHa.ingress,
      certManager: { install: false },
      eks: { clusterName: 'standby' },
      dns: { hostnameRecord: false },
    });
    expect('standby' in standby || 'rkeHa' in standby).toBe(false);
  });

  it("take the standby's ingress and record target where it names them", () => {
    const ingress = { className: 'traefik' };
    const own = { access: { variables: true }, ingress, dns: { target: '203.0.113.7' } };
    const standby = standbySettings({ ...K8S_PRODUCTION, standby: { region: 'us-west-2', k8sHa: own } }, { ...CHOICE, stack: 'k8s-ha' });
    expect(standby.k8sHa).toMatchObject({ access: { variables: true }, ingress, dns: { target: '203.0.113.7', hostnameRecord: false } });
    expect((standby.k8sHa as Record<string, unknown>).eks).toBeUndefined();
  });

  it.each([
    [{ standby: { region: 'us-west-2' } }, 'FAILOVER_NO_STANDBY_CLUSTER', 'standby.k8sHa.access'],
    [
      { k8sHa: { access: { kubeconfig: { path: '~/.kube/config' } } }, standby: { region: 'us-west-2', k8sHa: { access: { kubeconfig: {} } } } },
      'FAILOVER_STANDBY_CLUSTER_IS_PRODUCTIONS',
      '~/.kube/config (its current context)',
    ],
    [
      { standby: { region: 'us-west-2', k8sHa: { access: { kubeconfig: { path: '~/.kube/prod', context: 'prod' } } } } },
      'FAILOVER_STANDBY_CLUSTER_IS_PRODUCTIONS',
      '~/.kube/prod, context prod',
    ],
    [
      { backups: { credentials: 'pod-identity' }, standby: { region: 'us-west-2', k8sHa: { access: { variables: true } } } },
      'FAILOVER_STANDBY_NO_EKS_CLUSTER',
      'backups.credentials pod-identity',
    ],
  ])('refuse a standby cluster that cannot be made correct: %j', (change, code, named) => {
    const problem = standbyClusterProblem({ ...K8S_PRODUCTION, ...change });
    expect(problem?.code).toBe(code);
    expect(problem?.message).toContain(named);
  });

  it('accept another cluster, and accessKey credentials without an EKS cluster', () => {
    expect(standbyClusterProblem(K8S_PRODUCTION)).toBeUndefined();
    const standby = { region: 'us-west-2', k8sHa: { access: { variables: true } } };
    expect(standbyClusterProblem({ ...K8S_PRODUCTION, backups: { credentials: 'accessKey' }, standby })).toBeUndefined();
  });

  it("refuse external TLS (the load balancer's certificate is the user's), and not a DNS-round-robin setting it does not use", () => {
    expect(failoverScopeProblem({ rancher: { tls: { mode: 'external' } } }, 'k8s-ha')).toContain("the standby's cluster does not have");
    expect(failoverScopeProblem({ rancher: { tls: { issuer: 'acme' } } }, 'k8s-ha')).toContain('rancher.tls.issuer acme');
    expect(failoverScopeProblem({ rkeHa: { loadBalancer: { type: 'dns' } } }, 'k8s-ha')).toBeUndefined();
  });
});

// The failover's dry run reads the settings file only (failover.tools: no call, no state): it refuses what the synth
// refuses of those settings (lib/config/standby-rules.ts), with the code the run itself stops with, instead of planning it.

async function dryRun(settings: string): Promise<{ code: number; io: IoHost }> {
  const dir = scratchFolder('failover-dry-run-');
  writeFileSync(join(dir, 'rancher.yaml'), settings);
  const io = new IoHost(new PlainRenderer({ write: () => undefined }));
  const code = await failover({
    stack: 'rke-ha',
    productionDir: join(dir, 'module'),
    settingsPath: join(dir, 'rancher.yaml'),
    root: join(dir, 'failover.out'),
    synthScript: join(dir, 'no-synth.js'),
    dryRun: true,
    interrupted: () => false,
    io,
  });
  return { code, io };
}

describe('failover --dry-run', () => {
  it.each([
    ["production's own region", 'eu-west-1', "is the deployment's own region"],
    ['another partition', 'cn-north-1', 'S3 replicates within one partition only'],
  ])('refuses a standby in %s as the synth and the run do, planning nothing', async (_what, standby, words) => {
    const { code, io } = await dryRun(`name: rancher\nregion: eu-west-1\nstandby:\n  region: ${standby}\n`);
    expect({ code, codes: io.codes() }).toEqual({ code: 2, codes: ['FAILOVER_STANDBY_REGION_REFUSED'] });
    expect(io.messages[0].text).toContain(words);
  });
});
