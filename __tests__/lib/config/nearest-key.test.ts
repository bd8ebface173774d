import { keysWithWord, nearestKey } from '../../../lib/config/nearest-key';

const TOP = [
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
  'rkeHa',
  'k8sHa',
  'docker',
];

describe('nearestKey', () => {
  it.each([
    ['hosted_zone', 'hostedZone'],
    ['HostedZone', 'hostedZone'],
    ['admin-cidrs', 'adminCidrs'],
    ['regoin', 'region'],
    ['hostnme', 'hostname'],
    ['rke_ha', 'rkeHa'],
    ['version', 'versions'],
    ['tag', 'tags'],
  ])('%s: suggests %s', (key, near) => {
    expect(nearestKey(key, TOP)).toBe(near);
  });

  it.each(['colour', 'tls', 'kubernetes', 'x'.repeat(10_000)])('%s: suggests nothing far away', (key) => {
    expect(nearestKey(key, TOP)).toBeUndefined();
  });
});

describe('keysWithWord', () => {
  it.each([
    ['schedule', ['scheduleCron', 'retention', 'forceDestroyBucket'], ['scheduleCron']],
    ['cron', ['scheduleCron', 'retention'], ['scheduleCron']],
    ['name', ['clusterName'], ['clusterName']],
    ['Name', ['clusterName', 'serviceName', 'names'], ['clusterName', 'serviceName']],
    ['node', ['nodeCount', 'privateNodes'], ['nodeCount']],
  ])('%s among %j: %j', (key, known, having) => {
    expect(keysWithWord(key, known)).toEqual(having);
  });

  it('finds none for a key that is no whole word of any', () => {
    expect(keysWithWord('sched', ['scheduleCron'])).toEqual([]);
    expect(keysWithWord('schedulecronjob', ['scheduleCron'])).toEqual([]);
  });
});
