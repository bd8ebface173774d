import { createHash } from 'node:crypto';
import { caChecksum } from '../../../cli/failover/failover';
import { caMemberOf, failoverScopeProblem, FAILOVER_TAG, standbyName, standbySettings } from '../../../cli/failover/failover-settings';

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
const CHOICE = { name: 'rancher-sb', region: 'us-west-2', file: 'b.tar.gz.enc', bucket: 'copy', productionName: 'rancher' };

describe("a failover's standby settings", () => {
  it("keep production's hostname, zone, TLS, versions and schedule; change only what it must not share", () => {
    expect(standbySettings(PRODUCTION, CHOICE)).toEqual({
      ...PRODUCTION,
      name: 'rancher-sb',
      region: 'us-west-2',
      backend: { type: 'local', path: 'terraform.<stack>.tfstate' },
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
