import { SNAPSHOT_INTERVAL_HOURS, effectiveDockerVpcCidr } from '../../../../lib/config/docker-schema';
import { fieldPaths } from '../../../../app/config/settings-fields';
import { parseSettings } from '../../../../app/config/load';
import { settingsProblems } from '../../../helpers/synth';

/** The problems a settings object is rejected with, as `field: message`; [] when accepted. */
const problems = (input: Record<string, unknown>) => settingsProblems(input).map(({ field, message }) => ({ field, message }));
const docker = (section: Record<string, unknown>) => ({ docker: section });
const fields = (section: Record<string, unknown>) => problems(docker(section)).map((p) => p.field);

describe('docker settings', () => {
  it("defaults to Rancher's Docker sizing, a 50 GiB data volume snapshotted daily, Rancher's own certificate", () => {
    expect(parseSettings({}, 'test').docker).toEqual({
      instanceType: 'm6i.large',
      allowSmallInstanceType: false,
      rootVolumeGb: 30,
      dataVolume: { sizeGb: 50, finalSnapshot: true, snapshots: { intervalHours: 24, time: '03:00', retention: 7 } },
      tls: { mode: 'rancher', issuer: 'rancher', privateCA: false },
    });
  });

  it('lists every field for the docs', () => {
    expect(fieldPaths().filter((f) => f.startsWith('docker.'))).toEqual([
      'docker.instanceType',
      'docker.allowSmallInstanceType',
      'docker.rootVolumeGb',
      'docker.vpcCidr',
      'docker.existingNetwork.vpcId',
      'docker.existingNetwork.subnetId',
      'docker.existingNetwork.hostNumber',
      'docker.amiId',
      'docker.architecture',
      'docker.sshKeyName',
      'docker.dataVolume.sizeGb',
      'docker.dataVolume.finalSnapshot',
      'docker.dataVolume.restoreSnapshotId',
      'docker.dataVolume.snapshots.intervalHours',
      'docker.dataVolume.snapshots.time',
      'docker.dataVolume.snapshots.retention',
      'docker.tls.mode',
      'docker.tls.issuer',
      'docker.tls.privateCA',
    ]);
  });

  it('has no proxy, air gap or audit log of its own: the shared proxy, airGap and rancher.auditLog apply', () => {
    expect(problems(docker({ proxy: { http: 'http://proxy.internal:3128' } }))).toEqual([
      { field: 'docker.proxy', message: expect.stringContaining('unknown setting') },
    ]);
    expect(fields({ auditLog: { enabled: true } })).toEqual(['docker.auditLog']);
    expect(fields({ airGap: {} })).toEqual(['docker.airGap']);
  });

  it.each([
    [{ tls: { issuer: 'blank' } }],
    [{ tls: { issuer: 'blank', privateCA: true } }],
    [{ tls: { issuer: 'ca' } }],
    [{ tls: { issuer: 'acme' } }],
    // Behind a load balancer: ACM issues (acme), imports yours (blank), or imports one your CA signs (ca).
    [{ tls: { mode: 'external', issuer: 'acme' } }],
    [{ tls: { mode: 'external', issuer: 'blank' } }],
    [{ tls: { mode: 'external', issuer: 'blank', privateCA: true } }],
    [{ tls: { mode: 'external', issuer: 'ca' } }],
    [{ dataVolume: { restoreSnapshotId: 'snap-0123456789abcdef0', snapshots: { intervalHours: 6, time: '23:59', retention: 1000 } } }],
    [{ instanceType: 'm6i.xlarge', rootVolumeGb: 20, sshKeyName: 'ops', amiId: 'ami-0123456789abcdef0', vpcCidr: '172.20.0.0/22' }],
  ])('accepts %j', (section) => {
    expect(problems(docker(section))).toEqual([]);
  });

  it.each(SNAPSHOT_INTERVAL_HOURS)('accepts a snapshot every %i hours', (intervalHours) => {
    expect(fields({ dataVolume: { snapshots: { intervalHours } } })).toEqual([]);
  });

  describe('rejects, naming the field', () => {
    it.each([
      [{ tls: { issuer: 'letsencrypt' } }, 'docker.tls.issuer', 'expected one of "rancher", "blank", "ca", "acme"'],
      [{ tls: { mode: 'alb' } }, 'docker.tls.mode', 'expected one of "rancher", "external"'],
      [
        { tls: { mode: 'external' } },
        'docker.tls.issuer',
        "Rancher's own CA lives in the container, and the load balancer has no certificate to serve from it; with mode external choose acme (ACM issues one through DNS validation), blank (yours, imported into ACM) or ca (signed by your CA, imported), or mode rancher to keep issuer rancher",
      ],
      [{ tls: { issuer: 'acme', privateCA: true } }, 'docker.tls.privateCA', 'only for issuer "blank"'],
      [{ tls: { privateCA: true } }, 'docker.tls.privateCA', 'only for issuer "blank"'],
      [{ tls: { issuer: 'ca', privateCA: true } }, 'docker.tls.privateCA', 'with issuer "ca" your CA is always mounted as cacerts.pem; remove it'],
      [{ dataVolume: { sizeGb: 5 } }, 'docker.dataVolume.sizeGb', 'from 10 to 16384'],
      [{ dataVolume: { restoreSnapshotId: 'vol-0123456789abcdef0' } }, 'docker.dataVolume.restoreSnapshotId', 'snapshot id'],
      [{ dataVolume: { snapshots: { intervalHours: 5 } } }, 'docker.dataVolume.snapshots.intervalHours', 'expected one of 1, 2, 3, 4, 6, 8, 12, 24'],
      [{ dataVolume: { snapshots: { time: '3am' } } }, 'docker.dataVolume.snapshots.time', 'HH:MM'],
      [{ dataVolume: { snapshots: { retention: 0 } } }, 'docker.dataVolume.snapshots.retention', 'from 1 to 1000'],
      [{ vpcCidr: '10.42.0.0/16' }, 'docker.vpcCidr', "RKE2's pod or service network"],
      [{ instanceType: 'large' }, 'docker.instanceType', 'EC2 instance type'],
      [{ rootVolumeGb: 10 }, 'docker.rootVolumeGb', 'from 20 to 16384'],
      [
        { instanceTyp: 'm6i.large' },
        'docker.instanceTyp',
        'unknown setting; did you mean instanceType? allowed here: instanceType, allowSmallInstanceType, rootVolumeGb',
      ],
    ])('%j → %s', (section, field, message) => {
      expect(problems(docker(section))).toEqual([{ field, message: expect.stringContaining(message) }]);
    });

    it('every mistake of the section at once', () => {
      expect(
        fields({ tls: { issuer: 'acme', privateCA: true }, dataVolume: { sizeGb: 0, snapshots: { time: '3am' } }, rootVolumeGb: 1 }).sort(),
      ).toEqual(['docker.dataVolume.sizeGb', 'docker.dataVolume.snapshots.time', 'docker.rootVolumeGb', 'docker.tls.privateCA']);
    });
  });
  describe('existingNetwork', () => {
    const network = { vpcId: 'vpc-0123456789abcdef0', subnetId: 'subnet-0123456789abcdef0' };
    it('takes a VPC and a subnet, host 10 by default, and leaves the created VPC unset', () => {
      const s = parseSettings(docker({ existingNetwork: network }), 'test').docker;
      expect(s.existingNetwork).toEqual({ ...network, hostNumber: 10 });
      expect(effectiveDockerVpcCidr(s)).toBeUndefined();
      expect(effectiveDockerVpcCidr(parseSettings({}, 'test').docker)).toBe('10.0.0.0/16');
    });

    it.each<[string, Record<string, unknown>, { field: string; message: string }[]]>([
      [
        'a VPC range beside it',
        { vpcCidr: '10.1.0.0/16', existingNetwork: network },
        [
          {
            field: 'docker.vpcCidr',
            message: 'the stack creates no VPC with existingNetwork; remove vpcCidr (the host takes its address from the subnet of existingNetwork)',
          },
        ],
      ],
      [
        'a malformed subnet id',
        { existingNetwork: { ...network, subnetId: 'subnet-XYZ' } },
        [
          {
            field: 'docker.existingNetwork.subnetId',
            message: 'expected a subnet id such as subnet-0123456789abcdef0 (subnet- and 8 or 17 hexadecimal digits)',
          },
        ],
      ],
      [
        'a host number past any subnet',
        { existingNetwork: { ...network, hostNumber: 65535 } },
        [{ field: 'docker.existingNetwork.hostNumber', message: 'expected a whole number from 4 to 65534' }],
      ],
      [
        'no subnet',
        { existingNetwork: { vpcId: network.vpcId } },
        [{ field: 'docker.existingNetwork.subnetId', message: 'required (expected a string)' }],
      ],
    ])('refuses %s', (_what, section, expected) => {
      expect(problems(docker(section))).toEqual(expected);
    });
  });
});
