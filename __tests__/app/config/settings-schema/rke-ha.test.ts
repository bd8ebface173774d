import { parseSettings, parseSettingsText } from '../../../../app/config/load';
import { effectiveIngressController, effectiveNatGateways, effectiveNodeCount, effectiveVpcCidr } from '../../../../lib/config/rke-ha-schema';
import { rkeHaSchema } from '../../../../app/config/section-schemas';
import { settingsProblems } from '../../../helpers/synth';

/** The problems `rkeHa: section` is refused with; [] when accepted. */
const problemsOf = (section: unknown) => settingsProblems({ rkeHa: section });
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
      allowSmallInstanceType: false,
      rootVolumeGb: 100,
      privateNodes: false,
      dualStack: false,
      loadBalancer: { type: 'nlb', deletionProtection: true, hostnameRecord: true },
      operatingSystem: 'ubuntu-24.04',
      etcdSnapshots: {
        scheduleCron: '0 */6 * * *',
        retention: 28,
        forceDestroyBucket: false,
        accessLogging: false,
        eventNotifications: false,
        objectLock: false,
      },
    };
    const settings = parseSettings({}, 'test').rkeHa;
    expect(settings).toEqual(expected);
    expect(rkeHaSchema.parse(undefined)).toEqual(expected);
    for (const unset of ['nodeCount', 'ingressController', 'amiId', 'architecture', 'sshKeyName', 'vpcCidr', 'natGateways', 'existingNetwork'])
      expect(settings).not.toHaveProperty(unset);
    expect(effectiveNodeCount(settings)).toBe(3);
    // Left unset so that they can be refused beside existingNetwork; the network the stack creates has these.
    expect(effectiveVpcCidr(settings)).toBe('10.0.0.0/16');
    expect(effectiveNatGateways(settings)).toBe('per-zone');
    expect(effectiveIngressController(settings)).toBe('traefik');
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

    it.each([0, 4, 5, -1, 1.5, 'three', null])('refuses %p: expected 1, 2 or 3', (nodeCount) => {
      expect(problemsOf({ nodeCount })).toEqual([{ field: 'rkeHa.nodeCount', message: 'expected 1, 2 or 3', value: nodeCount }]);
    });

    it.each(['3', '2'])('refuses the quoted %p saying it is a string, to be written without quotes', (nodeCount) => {
      expect(problemsOf({ nodeCount })).toEqual([
        {
          field: 'rkeHa.nodeCount',
          message: `expected 1, 2 or 3, as a number, not the string "${nodeCount}": write it without quotes`,
          value: nodeCount,
        },
      ]);
    });
  });

  describe('ingressController', () => {
    it.each([
      ['rke2', undefined, 'traefik'],
      ['rke2', 'ingress-nginx', 'ingress-nginx'],
      ['rke2', 'traefik', 'traefik'],
      ['k3s', undefined, 'traefik'],
      ['k3s', 'traefik', 'traefik'],
    ] as const)('%s with ingressController %p runs %s', (distribution, ingressController, expected) => {
      const settings = parsed({ distribution, ...(ingressController ? { ingressController } : {}) });
      expect(settings.ingressController).toBe(ingressController);
      expect(effectiveIngressController(settings)).toBe(expected);
    });

    it.each(['rancher', 'external', 'ingress'] as const)(
      'rke2 unset with TLS mode %s runs traefik (every mode has its Traefik configuration)',
      (mode) => {
        const settings = parseSettings({ rkeHa: {}, rancher: { tls: { mode, ...(mode === 'external' ? { issuer: 'acme' } : {}) } } }, 'test');
        expect(effectiveIngressController(settings.rkeHa)).toBe('traefik');
      },
    );

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

  describe('profile (CIS)', () => {
    it('is unset by default and accepts cis with rke2', () => {
      expect(parsed({}).profile).toBeUndefined();
      expect(parsed({ profile: 'cis' }).profile).toBe('cis');
    });

    it('refuses it with k3s, saying K3s has no such profile and what to do instead', () => {
      expect(problemsOf({ distribution: 'k3s', profile: 'cis' })).toEqual([
        {
          field: 'rkeHa.profile',
          message:
            "cis is RKE2's CIS profile; K3s has no such setting, and its hardening guide (API server, controller-manager and kubelet flags, admission and audit files written by hand) is not applied by this deployment: use distribution rke2 for a CIS-hardened cluster, or leave profile unset",
          value: 'cis',
        },
      ]);
    });

    // RKE2 v1.35.7+rke2r1 accepts only `cis` (and `etcd`): the versioned names of older releases stop its start.
    it.each(['cis-1.23', 'cis-1.6', 'CIS', 'etcd'])('refuses %p, naming the one value', (profile) => {
      expect(problemsOf({ profile })).toEqual([{ field: 'rkeHa.profile', message: 'expected one of "cis"', value: profile }]);
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
      expect(problemsOf({ datastore: { monitoringInterval } })).toEqual([
        { field: 'rkeHa.datastore.monitoringInterval', message: 'expected 0 (off), 1, 5, 10, 15, 30 or 60', value: monitoringInterval },
      ]);
    });

    it.each([80, 1149, 65536])('refuses the port %p (RDS takes 1150-65535)', (port) => {
      expect(problemsOf({ datastore: { port } }).map((p) => p.field)).toEqual(['rkeHa.datastore.port']);
    });

    it.each(['oracle', 'postgresql', 'MySQL'])('refuses engine %p, listing "postgres", "mysql"', (engine) => {
      expect(problemsOf({ datastore: { engine } })).toEqual([
        { field: 'rkeHa.datastore.engine', message: 'expected one of "postgres", "mysql"', value: engine },
      ]);
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
      expect(problemsOf({ datastore: { [key]: 'yes' } })).toEqual([
        { field: `rkeHa.datastore.${key}`, message: 'expected true or false', value: 'yes' },
      ]);
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
    it.each(['0 */6 * * *', '*/30 * * * *', '0 3 * * 1-5', '15 2 1,15 * *', '0 0 ? * MON-FRI', '5/15 1-23/2 * jan,Jul sun', '59 23 31 12 6'])(
      'accepts the schedule %p',
      (scheduleCron) => {
        expect(parsed({ etcdSnapshots: { scheduleCron } }).etcdSnapshots).toEqual({
          scheduleCron,
          retention: 28,
          forceDestroyBucket: false,
          accessLogging: false,
          eventNotifications: false,
          objectLock: false,
        });
      },
    );

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
      expect(problemsOf({ etcdSnapshots: { retention: 7.5 } })).toEqual([
        { field: 'rkeHa.etcdSnapshots.retention', message: 'expected a whole number', value: 7.5 },
      ]);
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
      const s = parsed({ privateNodes: true });
      expect(s.privateNodes).toBe(true);
      expect(effectiveNatGateways(s)).toBe('per-zone');
    });

    it.each(['none', 'one', 'Single'])('refuses natGateways %p, listing "per-zone", "single"', (natGateways) => {
      expect(problemsOf({ privateNodes: true, natGateways })).toEqual([
        { field: 'rkeHa.natGateways', message: 'expected one of "per-zone", "single"', value: natGateways },
      ]);
    });

    it('privateNodes is true or false', () => {
      expect(problemsOf({ privateNodes: 'yes' })).toEqual([{ field: 'rkeHa.privateNodes', message: 'expected true or false', value: 'yes' }]);
    });
  });

  describe('DNS round robin instead of the NLB', () => {
    it.each([
      [{}, 'rke2'],
      [{ distribution: 'k3s' }, 'k3s: ServiceLB serves 80/443 on every node'],
    ])('accepts loadBalancer dns with public nodes (%j, %s)', (extra, _why) => {
      expect(parsed({ ...extra, loadBalancer: { type: 'dns' } })).toMatchObject({ loadBalancer: { type: 'dns' }, privateNodes: false });
    });

    it('refuses it with private nodes: they have no Elastic IP to answer with', () => {
      expect(problemsOf({ loadBalancer: { type: 'dns' }, privateNodes: true })).toEqual([
        {
          field: 'rkeHa.loadBalancer.type',
          message:
            "dns answers Rancher's name with each node's Elastic IP, and nodes in private subnets have none; use loadBalancer type nlb with privateNodes, or public nodes",
          value: 'dns',
        },
      ]);
    });

    it('refuses anything but nlb and dns', () => {
      expect(problemsOf({ loadBalancer: { type: 'alb' } })).toEqual([
        { field: 'rkeHa.loadBalancer.type', message: 'expected one of "nlb", "dns"', value: 'alb' },
      ]);
    });
  });

  describe('nodes', () => {
    it('keeps instanceType, rootVolumeGb, vpcCidr, amiId and sshKeyName as given', () => {
      const section = {
        instanceType: 'm7i.2xlarge',
        rootVolumeGb: 40,
        vpcCidr: '172.20.0.0/22',
        amiId: 'ami-0123456789abcdef0',
        sshKeyName: 'ops key (2024)',
      };
      expect(parsed(section)).toMatchObject(section);
    });

    it.each([
      [{ instanceType: 'xlarge' }, 'rkeHa.instanceType', 'expected an EC2 instance type such as m6i.xlarge'],
      [{ rootVolumeGb: 39 }, 'rkeHa.rootVolumeGb', 'expected a whole number from 40 to 16384'],
      [{ rootVolumeGb: 16385 }, 'rkeHa.rootVolumeGb', 'expected a whole number from 40 to 16384'],
      [{ vpcCidr: '10.43.0.0/16' }, 'rkeHa.vpcCidr', "overlaps RKE2's pod or service network (10.42.0.0/15); choose a VPC range outside it"],
      [{ amiId: 'ami-xyz' }, 'rkeHa.amiId', 'expected an AMI id such as ami-0123456789abcdef0 (ami- and 8 or 17 hexadecimal digits)'],
    ])('refuses %j at %s', (section, field, message) => {
      expect(problemsOf(section)).toEqual([{ field, message, value: Object.values(section)[0] }]);
    });

    it.each([[''], ['k'.repeat(256)], ['clé'], [' ops'], ['ops '], ['ops\n']])(
      'refuses the sshKeyName %p: 1 to 255 printable ASCII characters, as EC2 takes them',
      (sshKeyName) => {
        expect(fields({ sshKeyName })).toEqual(['rkeHa.sshKeyName']);
      },
    );
  });

  it('refuses an unknown key, listing every rkeHa key', () => {
    expect(problemsOf({ nodes: 3 })).toEqual([
      {
        field: 'rkeHa.nodes',
        message:
          'unknown setting; allowed here: nodeCount, allowQuorumLoss, distribution, datastore, instanceType, allowSmallInstanceType, rootVolumeGb, vpcCidr, privateNodes, natGateways, dualStack, loadBalancer, existingNetwork, amiId, architecture, operatingSystem, sshKeyName, ingressController, ingressMigration, profile, etcdSnapshots',
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
  describe('existingNetwork', () => {
    const VPC = 'vpc-0123456789abcdef0';
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `subnet-0${prefix}00000000000000${i + 1}`);
    const net = (extra: Record<string, unknown> = {}) => ({ vpcId: VPC, loadBalancerSubnetIds: ids('a', 3), nodeSubnetIds: ids('b', 3), ...extra });
    const messages = (input: Record<string, unknown>) => settingsProblems(input).map((p) => `${p.field}: ${p.message}`);

    it('takes a VPC, load balancer and node subnets, with host 10 by default, and leaves the created network unset', () => {
      const s = parsed({ existingNetwork: net() });
      expect(s.existingNetwork).toEqual({ ...net(), nodeHostNumber: 10 });
      expect(effectiveVpcCidr(s)).toBeUndefined();
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      [
        'a VPC range beside it',
        { vpcCidr: '10.1.0.0/16', existingNetwork: net() },
        [
          'rkeHa.vpcCidr: the stack creates no VPC with existingNetwork; remove vpcCidr (the servers take their addresses from the node subnets of existingNetwork)',
        ],
      ],
      [
        'private nodes beside it',
        { privateNodes: true, existingNetwork: net() },
        ['rkeHa.privateNodes: with existingNetwork the servers go in its node subnets, private or public as those subnets are; remove privateNodes'],
      ],
      [
        'NAT gateways beside it',
        { natGateways: 'per-zone', existingNetwork: net() },
        [
          'rkeHa.natGateways: the stack creates no NAT gateway with existingNetwork (private node subnets bring their own egress, checked at plan time); remove natGateways',
        ],
      ],
      [
        'a malformed VPC id',
        { existingNetwork: net({ vpcId: 'vpc-12' }) },
        ['rkeHa.existingNetwork.vpcId: expected a VPC id such as vpc-0123456789abcdef0 (vpc- and 8 or 17 hexadecimal digits)'],
      ],
      [
        'a malformed subnet id',
        { existingNetwork: net({ nodeSubnetIds: [...ids('b', 2), 'sn-1'] }) },
        ['rkeHa.existingNetwork.nodeSubnetIds.2: expected a subnet id such as subnet-0123456789abcdef0 (subnet- and 8 or 17 hexadecimal digits)'],
      ],
      [
        'a subnet listed twice',
        { existingNetwork: net({ loadBalancerSubnetIds: [...ids('a', 2), ids('a', 1)[0]] }) },
        [`rkeHa.existingNetwork.loadBalancerSubnetIds: lists ${ids('a', 1)[0]} more than once`],
      ],
      [
        'fewer node subnets than servers',
        { existingNetwork: net({ nodeSubnetIds: ids('b', 2) }) },
        ['rkeHa.existingNetwork.nodeSubnetIds: lists 2 subnets, and the 3 servers go one per subnet, each in a zone of its own; list 3'],
      ],
      [
        'more node subnets than servers can take',
        { existingNetwork: net({ nodeSubnetIds: ids('b', 4) }) },
        ['rkeHa.existingNetwork.nodeSubnetIds: lists 4 subnets; a deployment has at most 3 servers, one per subnet'],
      ],
      [
        'fewer load balancer subnets than server zones',
        { existingNetwork: net({ loadBalancerSubnetIds: ids('a', 2) }) },
        [
          "rkeHa.existingNetwork.loadBalancerSubnetIds: lists 2 subnets, and the load balancer needs one in each of the 3 servers' zones (it sends nothing to a zone it has no subnet in)",
        ],
      ],
      [
        'a host number AWS keeps',
        { existingNetwork: net({ nodeHostNumber: 3 }) },
        ['rkeHa.existingNetwork.nodeHostNumber: expected a whole number from 4 to 65534'],
      ],
      [
        'datastore subnets with rke2',
        { existingNetwork: net({ datastoreSubnetIds: ids('c', 2) }) },
        ['rkeHa.existingNetwork.datastoreSubnetIds: only for distribution k3s (rke2 keeps the cluster state in etcd on the servers); remove it'],
      ],
      [
        'k3s without datastore subnets',
        { distribution: 'k3s', existingNetwork: net() },
        [
          'rkeHa.existingNetwork.datastoreSubnetIds: is required with distribution k3s and existingNetwork: the RDS datastore needs subnets in at least two zones (private ones, without a route from the internet)',
        ],
      ],
      [
        'k3s with one datastore subnet',
        { distribution: 'k3s', existingNetwork: net({ datastoreSubnetIds: ids('c', 1) }) },
        ['rkeHa.existingNetwork.datastoreSubnetIds: lists 1 subnet; RDS needs subnets in at least two zones'],
      ],
      [
        'a missing list',
        { existingNetwork: { vpcId: VPC, nodeSubnetIds: ids('b', 3) } },
        ['rkeHa.existingNetwork.loadBalancerSubnetIds: required (expected a list)'],
      ],
    ])('refuses %s, naming the field', (_what, section, expected) => {
      expect(messages({ rkeHa: section })).toEqual(expected);
    });

    it('fits the subnet counts to the server count: one server needs one of each; k3s two', () => {
      expect(messages({ rkeHa: { nodeCount: 1, existingNetwork: net({ loadBalancerSubnetIds: ids('a', 1), nodeSubnetIds: ids('b', 1) }) } })).toEqual(
        [],
      );
      expect(
        messages({
          rkeHa: {
            distribution: 'k3s',
            existingNetwork: net({ loadBalancerSubnetIds: ids('a', 2), nodeSubnetIds: ids('b', 2), datastoreSubnetIds: ids('c', 2) }),
          },
        }),
      ).toEqual([]);
      // More node subnets than servers: the next ones are used when the count grows.
      expect(messages({ rkeHa: { nodeCount: 1, existingNetwork: net() } })).toEqual([]);
    });

    it('wants two load balancer subnets when an ALB takes them too (rancher.tls.mode external)', () => {
      const single = { nodeCount: 1, existingNetwork: net({ loadBalancerSubnetIds: ids('a', 1), nodeSubnetIds: ids('b', 1) }) };
      expect(messages({ rkeHa: single, rancher: { tls: { mode: 'external', issuer: 'acme' } } })).toEqual([
        'rkeHa.existingNetwork.loadBalancerSubnetIds: lists 1 subnet; with rancher.tls.mode external an application load balancer takes them too, and AWS wants subnets in at least two zones for one',
      ]);
      expect(messages({ rkeHa: single })).toEqual([]);
    });
  });
});

describe('rkeHa.operatingSystem', () => {
  const closed = {
    proxy: { egressOnlyTo: ['10.20.0.0/16'] },
    airGap: { installerUrl: 'https://mirror.internal/install.sh', systemDefaultRegistry: 'registry.internal:5000' },
  };
  it.each(['rhel-9', 'rocky-9'])('refuses %s behind closed egress without a proxy: dnf cannot reach the SELinux packages', (os) => {
    expect(settingsProblems({ ...closed, rancher: { tls: { issuer: 'blank' } }, rkeHa: { operatingSystem: os } })).toEqual([
      {
        field: 'rkeHa.operatingSystem',
        message: expect.stringMatching(/install the SELinux policy packages with dnf .* pin an image that carries them \(rkeHa\.amiId/),
        value: os,
      },
    ]);
  });
  it.each([
    { ...closed, rancher: { tls: { issuer: 'blank' } }, rkeHa: { operatingSystem: 'rhel-9', amiId: 'ami-0123456789abcdef0' } },
    { proxy: { http: 'http://proxy.internal:3128', egressOnlyTo: ['10.20.0.0/16'] }, rkeHa: { operatingSystem: 'rocky-9' } },
    { ...closed, rancher: { tls: { issuer: 'blank' } }, rkeHa: { operatingSystem: 'ubuntu-24.04' } },
  ])('accepts %j', (input) => {
    expect(settingsProblems(input)).toEqual([]);
  });
  it('refuses an operating system it does not offer, listing those it does', () => {
    expect(settingsProblems({ rkeHa: { operatingSystem: 'sle-micro-6' } })).toEqual([
      { field: 'rkeHa.operatingSystem', message: expect.stringMatching(/ubuntu-24\.04.*rhel-9.*rocky-9/), value: 'sle-micro-6' },
    ]);
  });
});

describe('rkeHa.ingressMigration (the steps off ingress-nginx)', () => {
  it.each(['beside', 'moved', 'done'])('takes %s with ingressController traefik on RKE2 behind the NLB', (step) => {
    expect(problemsOf({ ingressController: 'traefik', ingressMigration: step })).toEqual([]);
  });

  it.each([
    [{ ingressMigration: 'beside' }, 'moves a deployment to Traefik: set ingressController traefik with it (docs/day-2.md, "Off ingress-nginx")'],
    [{ ingressController: 'ingress-nginx', ingressMigration: 'beside' }, 'moves a deployment to Traefik: set ingressController traefik with it'],
    [{ distribution: 'k3s', ingressController: 'traefik', ingressMigration: 'beside' }, 'K3s runs Traefik already: leave it unset'],
    [
      { ingressController: 'traefik', ingressMigration: 'moved', loadBalancer: { type: 'dns' } },
      "moves the NLB's 80 and 443 to Traefik's side ports; with loadBalancer type dns",
    ],
  ])('refuses %j', (section, message) => {
    const problems = problemsOf(section);
    expect(problems).toEqual([expect.objectContaining({ field: 'rkeHa.ingressMigration' })]);
    expect(problems[0].message).toContain(message);
  });

  it('refuses a step it does not know', () => {
    expect(fields({ ingressController: 'traefik', ingressMigration: 'switched' })).toEqual(['rkeHa.ingressMigration']);
  });
});
