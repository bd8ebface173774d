import { z } from 'zod';
import { allowedKeys, fieldPaths, nullMeaning, unknownKeyMessage } from '../../../app/config/settings-fields';

const TOP_LEVEL = [
  'name',
  'region',
  'hostname',
  'hostedZone',
  'dns',
  'adminCidrs',
  'tags',
  'backend',
  'proxy',
  'airGap',
  'vpc',
  'versions',
  'rancher',
  'timeouts',
  'backups',
  'alarms',
  'standby',
  'rkeHa',
  'k8sHa',
  'docker',
];

/** Leaves found by walking allowedKeys from the top, depth first in key order. */
function leavesByAllowedKeys(path: string[] = []): string[] {
  const keys = allowedKeys(path);
  if (!keys) return [path.join('.')];
  return keys.flatMap((key) => leavesByAllowedKeys([...path, key]));
}

describe('allowedKeys', () => {
  it('lists the top-level sections in schema order', () => {
    expect(allowedKeys([])).toEqual(TOP_LEVEL);
  });

  it('lists the rkeHa keys', () => {
    expect(allowedKeys(['rkeHa'])).toEqual([
      'nodeCount',
      'allowQuorumLoss',
      'distribution',
      'datastore',
      'instanceType',
      'allowSmallInstanceType',
      'rootVolumeGb',
      'vpcCidr',
      'privateNodes',
      'natGateways',
      'dualStack',
      'loadBalancer',
      'existingNetwork',
      'amiId',
      'architecture',
      'operatingSystem',
      'sshKeyName',
      'ingressController',
      'ingressMigration',
      'profile',
      'etcdSnapshots',
    ]);
  });

  it('lists the keys of every member of the backend union, the shared type once', () => {
    expect(allowedKeys(['backend'])).toEqual(['type', 'path', 'bucket', 'key', 'region', 'kmsKeyId']);
  });

  it.each([
    [
      ['rkeHa', 'datastore'],
      [
        'engine',
        'instanceClass',
        'allocatedStorageGb',
        'multiAz',
        'backupRetentionDays',
        'deletionProtection',
        'monitoringInterval',
        'logExports',
        'iamAuthentication',
        'port',
      ],
    ],
    [
      ['rkeHa', 'etcdSnapshots'],
      ['scheduleCron', 'retention', 'forceDestroyBucket', 'accessLogging', 'eventNotifications', 'objectLock'],
    ],
    [['rancher'], ['repository', 'replicas', 'tls', 'auditLog', 'bootstrap', 'acceptAgentChange']],
    [['rancher', 'bootstrap'], ['enabled']],
    [['alarms'], ['enabled', 'email']],
    [
      ['timeouts'],
      [
        'apiMinutes',
        'serversMinutes',
        'ingressMinutes',
        'certManagerMinutes',
        'rancherMinutes',
        'certificateMinutes',
        'upgradeMinutes',
        'pingMinutes',
        'bootstrapMinutes',
      ],
    ],
    [
      ['rancher', 'tls', 'acme'],
      ['email', 'environment'],
    ],
    [['versions'], ['rke2', 'k3s', 'certManager', 'rancher', 'releaseSums']],
    [['proxy'], ['http', 'https', 'noProxy', 'egressOnlyTo']],
    [
      ['k8sHa', 'access'],
      ['kubeconfig', 'variables'],
    ],
    [
      ['k8sHa', 'access', 'kubeconfig'],
      ['path', 'context'],
    ],
    [
      ['docker', 'dataVolume', 'snapshots'],
      ['intervalHours', 'time', 'retention'],
    ],
  ])('at %j: %j', (path, keys) => {
    expect(allowedKeys(path)).toEqual(keys);
  });

  it.each([
    ['an unknown section', ['nope']],
    ['an unknown key in a section', ['rkeHa', 'nope']],
    ['below an unknown key', ['nope', 'deeper']],
    ['a leaf', ['name']],
    ['a leaf in a section', ['rkeHa', 'nodeCount']],
    ['a leaf of a union member', ['backend', 'bucket']],
    ['below a leaf', ['name', 'x']],
    ['a free-form mapping (tags)', ['tags']],
    ['a free-form mapping (registryMirrors)', ['airGap', 'registryMirrors']],
    ['a list', ['adminCidrs']],
  ])('is undefined for %s', (_what, path) => {
    expect(allowedKeys(path)).toBeUndefined();
  });
});

describe('fieldPaths', () => {
  const paths = fieldPaths();

  it('has no duplicates', () => {
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('lists every leaf reachable through allowedKeys, in the same (schema) order', () => {
    expect(paths).toEqual(leavesByAllowedKeys());
  });

  it('holds only leaves: no path is itself a mapping, and each is allowed by its parent', () => {
    for (const path of paths) {
      const parts = path.split('.');
      expect(allowedKeys(parts)).toBeUndefined();
      expect(allowedKeys(parts.slice(0, -1))).toContain(parts[parts.length - 1]);
    }
  });

  it('follows the schema order of the top-level sections', () => {
    const sections = [...new Set(paths.map((p) => p.split('.')[0]))];
    expect(sections).toEqual(TOP_LEVEL);
  });

  it('lists the leaves outside the stack sections (docker and k8sHa are listed by their own tests)', () => {
    expect(paths.filter((p) => !p.startsWith('docker.') && !p.startsWith('k8sHa.'))).toEqual([
      'name',
      'region',
      'hostname',
      'hostedZone',
      'dns.mode',
      'dns.wildcardDomain',
      'adminCidrs',
      'tags',
      'backend.type',
      'backend.path',
      'backend.bucket',
      'backend.key',
      'backend.region',
      'backend.kmsKeyId',
      'proxy.http',
      'proxy.https',
      'proxy.noProxy',
      'proxy.egressOnlyTo',
      'airGap.systemDefaultRegistry',
      'airGap.registryMirrors',
      'airGap.useBundledSystemChart',
      'airGap.rancherChartRepository',
      'airGap.certManagerChartRepository',
      'airGap.rancherBackupChartRepository',
      'airGap.installerUrl',
      'airGap.registryCredentials.registry',
      'airGap.registryCredentials.ssmParameter',
      'airGap.registryCredentials.secretsManagerSecret',
      'vpc.flowLogs.destination',
      'vpc.flowLogs.retentionDays',
      'vpc.endpoints',
      'versions.rke2',
      'versions.k3s',
      'versions.certManager',
      'versions.rancher',
      'versions.releaseSums',
      'rancher.repository',
      'rancher.replicas',
      'rancher.tls.mode',
      'rancher.tls.issuer',
      'rancher.tls.privateCA',
      'rancher.tls.certificateFile',
      'rancher.tls.acme.email',
      'rancher.tls.acme.environment',
      'rancher.auditLog.enabled',
      'rancher.auditLog.level',
      'rancher.auditLog.destination',
      'rancher.auditLog.maxAgeDays',
      'rancher.auditLog.maxBackups',
      'rancher.auditLog.maxSizeMb',
      'rancher.bootstrap.enabled',
      'rancher.acceptAgentChange.hostname',
      'rancher.acceptAgentChange.ca',
      'timeouts.apiMinutes',
      'timeouts.serversMinutes',
      'timeouts.ingressMinutes',
      'timeouts.certManagerMinutes',
      'timeouts.rancherMinutes',
      'timeouts.certificateMinutes',
      'timeouts.upgradeMinutes',
      'timeouts.pingMinutes',
      'timeouts.bootstrapMinutes',
      'backups.enabled',
      'backups.schedule',
      'backups.retentionCount',
      'backups.forceDestroyBucket',
      'backups.credentials',
      'backups.readerAccounts',
      'backups.restoreFrom.file',
      'backups.restoreFrom.bucket',
      'backups.restoreFrom.newHostname',
      'backups.restoreFrom.unrecordedSource',
      'backups.restoreFrom.disarm',
      'backups.restoreFrom.inPlace',
      'alarms.enabled',
      'alarms.email',
      'standby.region',
      'standby.k8sHa.access.kubeconfig.path',
      'standby.k8sHa.access.kubeconfig.context',
      'standby.k8sHa.access.variables',
      'standby.k8sHa.ingress.className',
      'standby.k8sHa.ingress.service.namespace',
      'standby.k8sHa.ingress.service.name',
      'standby.k8sHa.eks.clusterName',
      'standby.k8sHa.dns.target',
      'rkeHa.nodeCount',
      'rkeHa.allowQuorumLoss',
      'rkeHa.distribution',
      'rkeHa.datastore.engine',
      'rkeHa.datastore.instanceClass',
      'rkeHa.datastore.allocatedStorageGb',
      'rkeHa.datastore.multiAz',
      'rkeHa.datastore.backupRetentionDays',
      'rkeHa.datastore.deletionProtection',
      'rkeHa.datastore.monitoringInterval',
      'rkeHa.datastore.logExports',
      'rkeHa.datastore.iamAuthentication',
      'rkeHa.datastore.port',
      'rkeHa.instanceType',
      'rkeHa.allowSmallInstanceType',
      'rkeHa.rootVolumeGb',
      'rkeHa.vpcCidr',
      'rkeHa.privateNodes',
      'rkeHa.natGateways',
      'rkeHa.dualStack',
      'rkeHa.loadBalancer.type',
      'rkeHa.loadBalancer.deletionProtection',
      'rkeHa.loadBalancer.hostnameRecord',
      'rkeHa.existingNetwork.vpcId',
      'rkeHa.existingNetwork.loadBalancerSubnetIds',
      'rkeHa.existingNetwork.nodeSubnetIds',
      'rkeHa.existingNetwork.datastoreSubnetIds',
      'rkeHa.existingNetwork.nodeHostNumber',
      'rkeHa.amiId',
      'rkeHa.architecture',
      'rkeHa.operatingSystem',
      'rkeHa.sshKeyName',
      'rkeHa.ingressController',
      'rkeHa.ingressMigration',
      'rkeHa.profile',
      'rkeHa.etcdSnapshots.scheduleCron',
      'rkeHa.etcdSnapshots.retention',
      'rkeHa.etcdSnapshots.forceDestroyBucket',
      'rkeHa.etcdSnapshots.accessLogging',
      'rkeHa.etcdSnapshots.eventNotifications',
      'rkeHa.etcdSnapshots.objectLock',
    ]);
  });

  it('sees through optional, default, prefault and transforms, and stops at records, lists and scalars', () => {
    const schema = z.strictObject({
      a: z.string(),
      b: z
        .strictObject({
          c: z.number().default(1),
          d: z.strictObject({ e: z.boolean() }).optional(),
          t: z
            .string()
            .transform((s) => s.length)
            .optional(),
        })
        .prefault({}),
      r: z.record(z.string(), z.strictObject({ hidden: z.string() })),
      l: z.array(z.strictObject({ hidden: z.string() })),
    });
    expect(fieldPaths(schema)).toEqual(['a', 'b.c', 'b.d.e', 'b.t', 'r', 'l']);
  });

  it('lists the fields of every member of a union, shared ones once, in member order', () => {
    const schema = z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('a'), x: z.string(), shared: z.number() }),
      z.strictObject({ kind: z.literal('b'), shared: z.number(), y: z.boolean() }),
    ]);
    expect(fieldPaths(schema)).toEqual(['kind', 'x', 'shared', 'y']);
  });

  it('prepends a prefix', () => {
    expect(fieldPaths(z.strictObject({ x: z.string(), y: z.strictObject({ z: z.number() }) }), 'root')).toEqual(['root.x', 'root.y.z']);
  });
});

describe('nullMeaning (a key with nothing under it)', () => {
  it.each([
    [['rkeHa'], 'absent'],
    [['name'], 'absent'],
    [['hostname'], 'absent'],
    [['k8sHa', 'access'], 'absent'],
    [['backend', 'path'], 'absent'],
    [['k8sHa', 'access', 'kubeconfig'], 'empty-mapping'],
    [['tags', 'Team'], 'keep'],
    [['airGap', 'registryMirrors', 'docker.io'], 'keep'],
    [['rkeHa', 'instanceTyp'], 'keep'],
  ] as const)('%j: %s', (path, meaning) => {
    expect(nullMeaning(path)).toBe(meaning);
  });
});

describe('unknownKeyMessage', () => {
  it('lists the keys allowed at a mapping', () => {
    expect(unknownKeyMessage(['rancher'], 'replica', {})).toBe(
      'unknown setting; did you mean replicas? allowed here: repository, replicas, tls, auditLog, bootstrap, acceptAgentChange',
    );
  });

  it('points a key given at the wrong level to where it belongs', () => {
    expect(unknownKeyMessage([], 'instanceType', {})).toMatch(
      /^unknown setting at this level; did you mean rkeHa\.instanceType or docker\.instanceType\? allowed here: name, /,
    );
    expect(unknownKeyMessage(['rkeHa'], 'region', {})).toMatch(
      /^unknown setting at this level; did you mean region \(at the top level\) or backend\.region or standby\.region\? allowed here: nodeCount, /,
    );
    expect(unknownKeyMessage(['docker'], 'distribution', {})).toMatch(/^unknown setting at this level; did you mean rkeHa\.distribution\? /);
  });

  // The same key elsewhere was offered first: backups.schedule (Rancher's backups) for etcd's, the deployment's name for the EKS cluster's.
  it('offers a key of the mapping the key was given in, by a word of its name, before a key of that name elsewhere', () => {
    expect(unknownKeyMessage(['rkeHa', 'etcdSnapshots'], 'schedule', { schedule: '0 */5 * * *' })).toMatch(
      /^unknown setting; did you mean scheduleCron\? allowed here: /,
    );
    expect(unknownKeyMessage(['k8sHa', 'eks'], 'name', { name: 'prod-eks' })).toBe(
      'unknown setting; did you mean clusterName? allowed here: clusterName',
    );
  });

  it('offers a key by a word of its name only when it takes the value given', () => {
    // privateNodes takes true or false: `nodes: 3` meant nodeCount, which no word of it names.
    expect(unknownKeyMessage(['rkeHa'], 'nodes', { nodes: 3 })).toMatch(/^unknown setting; allowed here: nodeCount, /);
    expect(unknownKeyMessage(['rkeHa'], 'nodes', { nodes: true })).toMatch(/^unknown setting; did you mean privateNodes\? /);
  });

  it('offers no setting deeper than a section for a key of another meaning (backups.retention is not etcd retention)', () => {
    expect(unknownKeyMessage(['backups'], 'retention', { retention: 3 })).toBe(
      'unknown setting; did you mean retentionCount? allowed here: enabled, schedule, retentionCount, forceDestroyBucket, credentials, readerAccounts, restoreFrom',
    );
  });

  it('says which backend type a key belongs to, with the type given or its default', () => {
    const message = 'applies to backend.type s3 only (this one is local); allowed with local: type, path';
    expect(unknownKeyMessage(['backend'], 'bucket', { type: 'local' })).toBe(message);
    expect(unknownKeyMessage(['backend'], 'bucket', {})).toBe(message);
    expect(unknownKeyMessage(['backend'], 'path', { type: 's3' })).toBe(
      'applies to backend.type local only (this one is s3); allowed with s3: type, bucket, key, region, kmsKeyId',
    );
  });

  it('lists the keys of the backend type for a key of none', () => {
    expect(unknownKeyMessage(['backend'], 'colour', { type: 's3' })).toBe(
      'unknown setting; allowed with backend.type s3: type, bucket, key, region, kmsKeyId',
    );
  });

  it('falls back to every backend key for an unknown type', () => {
    expect(unknownKeyMessage(['backend'], 'colour', { type: 'gcs' })).toBe(
      'unknown setting; allowed here: type, path, bucket, key, region, kmsKeyId',
    );
  });
});
