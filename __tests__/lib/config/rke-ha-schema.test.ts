import { SettingsError, type SettingsProblem } from '../../../lib/config/errors';
import { parseSettings, parseSettingsText } from '../../../lib/config/load';
import { DEFAULT_NODE_COUNT, effectiveIngressController, effectiveNodeCount, rkeHaSchema } from '../../../lib/config/rke-ha-schema';

/** The problems `rkeHa: section` is refused with; [] when accepted. */
function problemsOf(section: unknown): SettingsProblem[] {
  try {
    parseSettings({ rkeHa: section }, 'test');
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return [...error.problems];
    throw error;
  }
}
const parsed = (section: Record<string, unknown>) => parseSettings({ rkeHa: section }, 'test').rkeHa;
const fields = (section: Record<string, unknown>) => problemsOf(section).map((p) => p.field);

const DATASTORE_DEFAULTS = {
  engine: 'postgres',
  instanceClass: 'db.t4g.medium',
  allocatedStorageGb: 50,
  multiAz: true,
  backupRetentionDays: 7,
  deletionProtection: true,
  monitoringInterval: 0,
  logExports: false,
  iamAuthentication: false,
};
const RKE2_NODE_COUNT_MESSAGE = 'expected 1 or 3 with rke2 (etcd needs an odd number of members); 2 servers fit distribution k3s';
const K3S_NGINX_MESSAGE = 'K3s brings Traefik; leave it unset or set traefik with distribution k3s';

describe('rkeHa settings', () => {
  it('default to three RKE2 servers (node count left to the distribution) on m6i.xlarge in public subnets', () => {
    const expected = {
      allowQuorumLoss: false,
      distribution: 'rke2',
      datastore: DATASTORE_DEFAULTS,
      instanceType: 'm6i.xlarge',
      rootVolumeGb: 100,
      vpcCidr: '10.0.0.0/16',
      privateNodes: false,
      natGateways: 'per-zone',
      loadBalancer: { deletionProtection: true },
      etcdSnapshots: { scheduleCron: '0 */6 * * *', retention: 28, forceDestroyBucket: false, accessLogging: false, eventNotifications: false, objectLock: false },
    };
    const settings = parseSettings({}, 'test').rkeHa;
    expect(settings).toEqual(expected);
    expect(rkeHaSchema.parse(undefined)).toEqual(expected);
    for (const unset of ['nodeCount', 'ingressController', 'amiId', 'sshKeyName']) expect(settings).not.toHaveProperty(unset);
    expect(effectiveNodeCount(settings)).toBe(3);
    expect(effectiveIngressController(settings)).toBe('ingress-nginx');
  });

  it('defaults the node count per distribution to the HA layouts of the Rancher docs', () => {
    expect(DEFAULT_NODE_COUNT).toEqual({ rke2: 3, k3s: 2 });
  });

  describe('distribution', () => {
    it.each(['rke2', 'k3s'])('accepts %p', (distribution) => {
      expect(parsed({ distribution }).distribution).toBe(distribution);
    });

    it.each(['rke', 'RKE2', 'k8s', 'eks'])('refuses %p, listing "rke2", "k3s"', (distribution) => {
      expect(problemsOf({ distribution })).toEqual([{ field: 'rkeHa.distribution', message: 'expected one of "rke2", "k3s"', value: distribution }]);
    });
  });

  describe('nodeCount', () => {
    it.each([1, 3])('accepts %i with rke2', (nodeCount) => {
      const settings = parsed({ nodeCount });
      expect(settings.nodeCount).toBe(nodeCount);
      expect(effectiveNodeCount(settings)).toBe(nodeCount);
    });

    it('refuses 2 with rke2 (explicit or default distribution), saying why and what fits', () => {
      const problem = { field: 'rkeHa.nodeCount', message: RKE2_NODE_COUNT_MESSAGE, value: 2 };
      expect(problemsOf({ nodeCount: 2 })).toEqual([problem]);
      expect(problemsOf({ nodeCount: 2, distribution: 'rke2' })).toEqual([problem]);
    });

    it.each([1, 2, 3])('accepts %i with k3s', (nodeCount) => {
      const settings = parsed({ distribution: 'k3s', nodeCount });
      expect(effectiveNodeCount(settings)).toBe(nodeCount);
    });

    it('defaults to 2 servers with k3s', () => {
      const settings = parsed({ distribution: 'k3s' });
      expect(settings).not.toHaveProperty('nodeCount');
      expect(effectiveNodeCount(settings)).toBe(2);
    });

    it.each([0, 4, 5, -1, 1.5, '3', null])('refuses %p: expected 1, 2 or 3', (nodeCount) => {
      expect(problemsOf({ nodeCount })).toEqual([{ field: 'rkeHa.nodeCount', message: 'expected 1, 2 or 3', value: nodeCount }]);
    });
  });

  describe('effectiveNodeCount', () => {
    it.each([
      ['rke2', undefined, 3],
      ['k3s', undefined, 2],
      ['rke2', 1, 1],
      ['rke2', 3, 3],
      ['k3s', 1, 1],
      ['k3s', 3, 3],
    ] as const)('%s with nodeCount %p → %i', (distribution, nodeCount, expected) => {
      expect(effectiveNodeCount({ distribution, nodeCount })).toBe(expected);
    });
  });

  describe('ingressController', () => {
    it.each([
      ['rke2', undefined, 'ingress-nginx'],
      ['rke2', 'ingress-nginx', 'ingress-nginx'],
      ['rke2', 'traefik', 'traefik'],
      ['k3s', undefined, 'traefik'],
      ['k3s', 'traefik', 'traefik'],
    ] as const)('%s with ingressController %p runs %s', (distribution, ingressController, expected) => {
      const settings = parsed({ distribution, ...(ingressController ? { ingressController } : {}) });
      expect(settings.ingressController).toBe(ingressController);
      expect(effectiveIngressController(settings)).toBe(expected);
    });

    it('effectiveIngressController of nothing (or an empty section) is the rke2 default', () => {
      expect(effectiveIngressController(undefined)).toBe('ingress-nginx');
      expect(effectiveIngressController({})).toBe('ingress-nginx');
    });

    it('refuses ingress-nginx with k3s, saying to leave it unset or set traefik', () => {
      expect(problemsOf({ distribution: 'k3s', ingressController: 'ingress-nginx' })).toEqual([
        { field: 'rkeHa.ingressController', message: K3S_NGINX_MESSAGE, value: 'ingress-nginx' },
      ]);
    });

    it.each(['nginx', 'Traefik', 'haproxy'])('refuses %p, listing the controllers', (ingressController) => {
      expect(problemsOf({ ingressController })).toEqual([
        { field: 'rkeHa.ingressController', message: 'expected one of "ingress-nginx", "traefik"', value: ingressController },
      ]);
    });

    it('with k3s, refuses ingress-nginx while accepting 2 servers in the same section', () => {
      expect(fields({ distribution: 'k3s', ingressController: 'ingress-nginx', nodeCount: 2 })).toEqual(['rkeHa.ingressController']);
    });
  });

  describe('datastore (k3s)', () => {
    it('defaults to PostgreSQL on db.t4g.medium, 50 GB, multi-AZ, 7 days of backups, deletion protection', () => {
      expect(parsed({ distribution: 'k3s' }).datastore).toEqual(DATASTORE_DEFAULTS);
    });

    it('keeps a fully set datastore as given', () => {
      const datastore = {
        engine: 'mysql',
        instanceClass: 'db.r6g.large',
        allocatedStorageGb: 100,
        multiAz: false,
        backupRetentionDays: 35,
        deletionProtection: true,
        monitoringInterval: 30,
        logExports: true,
        iamAuthentication: true,
        port: 13306,
      };
      expect(parsed({ distribution: 'k3s', datastore }).datastore).toEqual(datastore);
    });

    it.each([2, 120, -1, 'off'])('refuses the monitoring interval %p, naming the allowed ones', (monitoringInterval) => {
      expect(problemsOf({ datastore: { monitoringInterval } })).toEqual([{ field: 'rkeHa.datastore.monitoringInterval', message: 'expected 0 (off), 1, 5, 10, 15, 30 or 60', value: monitoringInterval }]);
    });

    it.each([80, 1149, 65536])('refuses the port %p (RDS takes 1150-65535)', (port) => {
      expect(problemsOf({ datastore: { port } }).map((p) => p.field)).toEqual(['rkeHa.datastore.port']);
    });

    it.each(['oracle', 'postgresql', 'MySQL'])('refuses engine %p, listing "postgres", "mysql"', (engine) => {
      expect(problemsOf({ datastore: { engine } })).toEqual([{ field: 'rkeHa.datastore.engine', message: 'expected one of "postgres", "mysql"', value: engine }]);
    });

    it.each(['db.r6g.large', 'db.m7g.2xlarge', 'db.t4g.micro'])('accepts the instance class %p', (instanceClass) => {
      expect(parsed({ datastore: { instanceClass } }).datastore.instanceClass).toBe(instanceClass);
    });

    it.each(['m5.large', 'db.t4g', 'DB.T4G.MEDIUM', 'db.t4g.medium.x', ''])('refuses the instance class %p', (instanceClass) => {
      expect(problemsOf({ datastore: { instanceClass } })).toEqual([
        { field: 'rkeHa.datastore.instanceClass', message: 'expected an RDS instance class such as db.t4g.medium', value: instanceClass },
      ]);
    });

    it.each([
      ['allocatedStorageGb', 20, 65536],
      ['backupRetentionDays', 1, 35],
    ] as const)('%s accepts %i to %i and refuses beyond', (key, min, max) => {
      const field = `rkeHa.datastore.${key}`;
      const message = `expected a whole number from ${min} to ${max}`;
      expect(fields({ datastore: { [key]: min } })).toEqual([]);
      expect(fields({ datastore: { [key]: max } })).toEqual([]);
      expect(problemsOf({ datastore: { [key]: min - 1 } })).toEqual([{ field, message, value: min - 1 }]);
      expect(problemsOf({ datastore: { [key]: max + 1 } })).toEqual([{ field, message, value: max + 1 }]);
      expect(problemsOf({ datastore: { [key]: min + 0.5 } })).toEqual([{ field, message: 'expected a whole number', value: min + 0.5 }]);
    });

    it.each(['multiAz', 'deletionProtection'])('%s is true or false', (key) => {
      expect(problemsOf({ datastore: { [key]: 'yes' } })).toEqual([{ field: `rkeHa.datastore.${key}`, message: 'expected true or false', value: 'yes' }]);
    });

    it('refuses an unknown key, listing the allowed keys', () => {
      expect(problemsOf({ datastore: { storageGb: 50 } })).toEqual([
        {
          field: 'rkeHa.datastore.storageGb',
          message:
            'unknown setting; allowed here: engine, instanceClass, allocatedStorageGb, multiAz, backupRetentionDays, deletionProtection, monitoringInterval, logExports, iamAuthentication, port',
        },
      ]);
    });
  });

  describe('etcdSnapshots', () => {
    it.each(['0 */6 * * *', '*/30 * * * *', '0 3 * * 1-5', '15 2 1,15 * *', '0 0 ? * MON-FRI', '5/15 1-23/2 * jan,Jul sun', '59 23 31 12 6'])('accepts the schedule %p', (scheduleCron) => {
      expect(parsed({ etcdSnapshots: { scheduleCron } }).etcdSnapshots).toEqual({ scheduleCron, retention: 28, forceDestroyBucket: false, accessLogging: false, eventNotifications: false, objectLock: false });
    });

    it.each([
      ['four fields', '0 */6 * *'],
      ['six fields (with seconds)', '0 0 */6 * * *'],
      ['a macro', '@daily'],
      ['a leading space', ' 0 */6 * * *'],
      ['nothing', ''],
    ])('refuses a schedule with %s', (_what, scheduleCron) => {
      expect(problemsOf({ etcdSnapshots: { scheduleCron } })).toEqual([
        { field: 'rkeHa.etcdSnapshots.scheduleCron', message: 'expected a five-field cron expression such as "0 */6 * * *"', value: scheduleCron },
      ]);
    });

    it.each([
      ['a minute of 60', '60 * * * *', 'the minute field has "60", outside 0-59'],
      ['an hour of 24', '0 24 * * *', 'the hour field has "24", outside 0-23'],
      ['a day of month of 0', '0 0 0 * *', 'the day-of-month field has "0", outside 1-31'],
      ['a month name that is none', '0 0 * foo *', 'the month field has "foo", outside 1-12 or jan-dec'],
      ['a weekday of 7', '0 0 * * 7', 'the day-of-week field has "7", outside 0-6 or sun-sat'],
      ['a step of 0', '*/0 * * * *', 'the minute field has "*/0", a step of 0'],
      ['a backwards range', '0 5-1 * * *', 'the hour field has "5-1", a range that ends before it starts'],
      ['a question mark in the hour', '0 ? * * *', '"?" is allowed in the day fields only, not in the hour field'],
      ['a template', '${x} * * * *', 'the minute field has "${x}", which is not a number, range, list or step'],
    ])('refuses a schedule with %s, naming the cron field', (_what, scheduleCron, message) => {
      expect(problemsOf({ etcdSnapshots: { scheduleCron } })).toEqual([
        { field: 'rkeHa.etcdSnapshots.scheduleCron', message: `${message} (RKE2 would refuse it at start-up)`, value: scheduleCron },
      ]);
    });

    it.each([1, 1000])('accepts a retention of %i', (retention) => {
      expect(parsed({ etcdSnapshots: { retention } }).etcdSnapshots.retention).toBe(retention);
    });

    it.each([0, 1001])('refuses a retention of %i', (retention) => {
      expect(problemsOf({ etcdSnapshots: { retention } })).toEqual([
        { field: 'rkeHa.etcdSnapshots.retention', message: 'expected a whole number from 1 to 1000', value: retention },
      ]);
    });

    it('refuses a fractional retention as not a whole number', () => {
      expect(problemsOf({ etcdSnapshots: { retention: 7.5 } })).toEqual([{ field: 'rkeHa.etcdSnapshots.retention', message: 'expected a whole number', value: 7.5 }]);
    });

    it('forceDestroyBucket is true or false', () => {
      expect(parsed({ etcdSnapshots: { forceDestroyBucket: true } }).etcdSnapshots.forceDestroyBucket).toBe(true);
      expect(fields({ etcdSnapshots: { forceDestroyBucket: 'yes' } })).toEqual(['rkeHa.etcdSnapshots.forceDestroyBucket']);
    });
  });

  describe('private nodes and NAT', () => {
    it.each(['per-zone', 'single'])('accepts natGateways %p with privateNodes', (natGateways) => {
      expect(parsed({ privateNodes: true, natGateways })).toMatchObject({ privateNodes: true, natGateways });
    });

    it('defaults to one NAT gateway per zone when privateNodes is set', () => {
      expect(parsed({ privateNodes: true })).toMatchObject({ privateNodes: true, natGateways: 'per-zone' });
    });

    it.each(['none', 'one', 'Single'])('refuses natGateways %p, listing "per-zone", "single"', (natGateways) => {
      expect(problemsOf({ privateNodes: true, natGateways })).toEqual([{ field: 'rkeHa.natGateways', message: 'expected one of "per-zone", "single"', value: natGateways }]);
    });

    it('privateNodes is true or false', () => {
      expect(problemsOf({ privateNodes: 'yes' })).toEqual([{ field: 'rkeHa.privateNodes', message: 'expected true or false', value: 'yes' }]);
    });
  });

  describe('nodes', () => {
    it('keeps instanceType, rootVolumeGb, vpcCidr, amiId and sshKeyName as given', () => {
      const section = { instanceType: 'm7i.2xlarge', rootVolumeGb: 40, vpcCidr: '172.20.0.0/22', amiId: 'ami-0123456789abcdef0', sshKeyName: 'ops key (2024)' };
      expect(parsed(section)).toMatchObject(section);
    });

    it.each([
      [{ instanceType: 'xlarge' }, 'rkeHa.instanceType', 'expected an EC2 instance type such as m6i.xlarge'],
      [{ rootVolumeGb: 39 }, 'rkeHa.rootVolumeGb', 'expected a whole number from 40 to 16384'],
      [{ rootVolumeGb: 16385 }, 'rkeHa.rootVolumeGb', 'expected a whole number from 40 to 16384'],
      [{ vpcCidr: '10.43.0.0/16' }, 'rkeHa.vpcCidr', "overlaps RKE2's pod or service network (10.42.0.0/15); choose a VPC range outside it"],
      [{ amiId: 'ami-xyz' }, 'rkeHa.amiId', 'expected an AMI id such as ami-0123456789abcdef0'],
    ])('refuses %j at %s', (section, field, message) => {
      expect(problemsOf(section)).toEqual([{ field, message, value: Object.values(section)[0] }]);
    });

    it.each([[''], ['k'.repeat(256)], ['clé'], [' ops'], ['ops '], ['ops\n']])('refuses the sshKeyName %p: 1 to 255 printable ASCII characters, as EC2 takes them', (sshKeyName) => {
      expect(fields({ sshKeyName })).toEqual(['rkeHa.sshKeyName']);
    });
  });

  it('refuses an unknown key, listing every rkeHa key', () => {
    expect(problemsOf({ nodes: 3 })).toEqual([
      {
        field: 'rkeHa.nodes',
        message:
          'unknown setting; allowed here: nodeCount, allowQuorumLoss, distribution, datastore, instanceType, rootVolumeGb, vpcCidr, privateNodes, natGateways, loadBalancer, amiId, sshKeyName, ingressController, etcdSnapshots',
      },
    ]);
  });

  it('reports every mistake of the section at once, the node count rule included', () => {
    expect(
      fields({
        nodeCount: 2,
        rootVolumeGb: 10,
        natGateways: 'none',
        datastore: { engine: 'oracle', backupRetentionDays: 0 },
        etcdSnapshots: { scheduleCron: '@hourly', retention: 7.5 },
      }).sort(),
    ).toEqual([
      'rkeHa.datastore.backupRetentionDays',
      'rkeHa.datastore.engine',
      'rkeHa.etcdSnapshots.retention',
      'rkeHa.etcdSnapshots.scheduleCron',
      'rkeHa.natGateways',
      'rkeHa.nodeCount',
      'rkeHa.rootVolumeGb',
    ]);
  });

  it('refuses a section that is not a mapping', () => {
    expect(problemsOf('k3s')).toEqual([{ field: 'rkeHa', message: 'expected a mapping', value: 'k3s' }]);
  });

  // `rkeHa:` with every child commented out is YAML null: it means the section's defaults.
  it('reads an empty `rkeHa:` section as its defaults, not as a crash', () => {
    expect(parseSettingsText('rkeHa:\n  # nodeCount: 1\n', 'rancher.yaml').rkeHa.instanceType).toBe('m6i.xlarge');
    expect(parseSettingsText('docker:\n', 'rancher.yaml').docker.instanceType).toBe('m6i.large');
  });
});
