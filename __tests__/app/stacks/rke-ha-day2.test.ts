import { join } from 'node:path';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { plannedChange, SERVER_IGNORE_CHANGES, servers } from '../../helpers/replacement';
import { blockDifference, readJson, resources, type TerraformJson } from '../../helpers/synth';
import {
  synth,
  BASE,
  K3S,
  DNS,
  NGINX,
  WILDCARD,
  with_,
  SAFE,
  SAFE_WILDCARD,
  front,
  lostData,
  rancherRecords,
  EXISTING_SAFE,
  EXISTING_REFUSED,
} from './rke-ha-day2.setup';

describe('rke-ha day 2: changes a running deployment takes', () => {
  it.each(SAFE)("%s replaces or destroys at most one server, and nothing that holds the cluster's data", (_name, before, after) => {
    const change = plannedChange(synth(before), synth(after));
    expect(servers(change.replaced).length + servers(change.destroyed).length).toBeLessThanOrEqual(1);
    // Neither the snapshot bucket nor the datastore nor the VPC goes.
    expect(lostData(change)).toEqual([]);
  });

  it.each(SAFE_WILDCARD)(
    'without a domain, %s replaces at most one server, and neither the load balancer nor an Elastic IP',
    (_name, before, after) => {
      const change = plannedChange(synth(before), synth(after));
      expect(servers(change.replaced).length + servers(change.destroyed).length).toBeLessThanOrEqual(1);
      expect(lostData(change)).toEqual([]);
      // The name is eip-0's: it stays as long as the addresses do.
      expect(front(change)).toEqual([]);
    },
  );

  it('this change leaves a Route53 deployment as it was: the NLB keeps plain subnets (mappings would replace it), no Elastic IP, the record', () => {
    for (const input of [BASE, K3S, with_(BASE, { rancher: { tls: { mode: 'external', issuer: 'acme' } } })]) {
      const json = synth(input);
      const [lb] = Object.values(resources(json, 'aws_lb')).filter((l) => l.load_balancer_type === 'network');
      expect(lb.subnets).toHaveLength(3);
      expect(lb.subnet_mapping).toBeUndefined();
      expect(resources(json, 'aws_eip')).toEqual({});
      expect(Object.keys(resources(json, 'aws_route53_record'))).toContainEqual(expect.stringMatching(/^dns_record_/));
    }
  });

  it('K3s keeps its state in the datastore: fewer servers destroys servers, never the datastore, and is not refused', () => {
    const before = synth(with_(K3S, { rkeHa: { distribution: 'k3s', nodeCount: 3 } }));
    const after = synth(with_(K3S, { rkeHa: { distribution: 'k3s', nodeCount: 1 } }));
    const change = plannedChange(before, after);
    expect(servers(change.destroyed)).toHaveLength(2);
    expect(lostData(change)).toEqual([]);
    // No quorum rule without etcd: the guard carries no server count.
    expect(JSON.stringify(resources(after, 'terraform_data'))).not.toContain('aws_instances');
  });

  it('none of these is a change the servers apply in place all at once: each server keeps it until it is replaced, and says so', () => {
    // A held attribute that differs is reported per server (output servers_pending_replacement), never planned.
    for (const [, , after] of SAFE) {
      for (const instance of Object.values(resources(synth(after), 'aws_instance'))) {
        expect(instance.lifecycle.ignore_changes).toEqual(SERVER_IGNORE_CHANGES);
      }
    }
  });
});

describe('rke-ha day 2: switching between the NLB and DNS round robin', () => {
  const first = rancherRecords;

  it.each([
    ['NLB to DNS round robin', BASE, DNS],
    ['DNS round robin to the NLB', DNS, BASE],
  ])('%s keeps the Rancher record at its address and never replaces it', (_name, before, after) => {
    expect(first(synth(before))).toHaveLength(1);
    expect(first(synth(after))).toEqual(first(synth(before)));
    const change = plannedChange(synth(before), synth(after));
    expect([...change.replaced, ...change.destroyed]).not.toContain(first(synth(before))[0]);
    expect(servers([...change.replaced, ...change.destroyed])).toEqual([]);
  });

  it('what goes: the NLB one way, the addresses and health checks the other way', () => {
    const types = (addresses: string[]) => [...new Set(addresses.map((a) => a.split('.')[0]))].sort();
    expect(types(plannedChange(synth(BASE), synth(DNS)).destroyed)).toEqual(
      expect.arrayContaining(['aws_lb', 'aws_lb_listener', 'aws_lb_target_group', 'aws_lb_target_group_attachment', 'aws_security_group']),
    );
    expect(types(plannedChange(synth(DNS), synth(BASE)).destroyed)).toEqual(
      expect.arrayContaining(['aws_eip', 'aws_eip_association', 'aws_route53_health_check', 'aws_route53_record']),
    );
  });
});

/**
 * What 0.2.0 synthesized for the same settings (its AWS resources, in __tests__/fixtures/release-0.2.0, written by
 * the commit that introduced the FSBP test, before any of its changes): a deployment made with 0.2.0 takes every
 * later default without losing a server, the bucket, the database or the load balancer.
 */
const RELEASE_0_2_0: [string, string, SettingsInput][] = [
  ['defaults', 'rke-ha.json', BASE],
  ['private nodes', 'rke-ha-private-nodes.json', with_(BASE, { rkeHa: { privateNodes: true } })],
  ['K3s on PostgreSQL', 'rke-ha-k3s.json', K3S],
];
const release = (file: string) => readJson(join(__dirname, '..', '..', 'fixtures', 'release-0.2.0', file)) as TerraformJson;
const heldData = (addresses: readonly string[]) => addresses.filter((a) => /^aws_(instance|s3_bucket|db_instance|lb|vpc|subnet)\./.test(a));

describe('rke-ha day 2: a deployment made with 0.2.0, applied with this version', () => {
  it.each(RELEASE_0_2_0)('%s: replaces and destroys no server, bucket, database, load balancer, VPC or subnet', (_name, file, input) => {
    const change = plannedChange(release(file), synth(input));
    expect(heldData([...change.replaced, ...change.destroyed])).toEqual([]);
  });
});

/**
 * The FSBP options, each turned on in a running deployment: new resources and in-place changes only (the default is
 * the before; K3s for the datastore's).
 */
const OPTIONS_ON: [string, SettingsInput, SettingsInput][] = [
  ['load balancer deletion protection off, then on again', with_(BASE, { rkeHa: { loadBalancer: { deletionProtection: false } } }), BASE],
  ['flow logs to CloudWatch Logs', BASE, { ...BASE, vpc: { flowLogs: { destination: 'cloudwatch' } } }],
  ['flow logs to S3', BASE, { ...BASE, vpc: { flowLogs: { destination: 's3' } } }],
  ['every VPC endpoint', BASE, { ...BASE, vpc: { endpoints: ['s3', 'ssm', 'ssmmessages', 'ec2messages', 'kms', 'sts', 'ec2'] } }],
  [
    'every VPC endpoint, private nodes',
    with_(BASE, { rkeHa: { privateNodes: true } }),
    with_(BASE, { rkeHa: { privateNodes: true }, vpc: { endpoints: ['s3', 'ssm', 'ssmmessages', 'ec2messages'] } }),
  ],
  ['VPC endpoints, K3s', K3S, { ...K3S, vpc: { endpoints: ['s3', 'ssm'] } }],
  [
    'K3s: enhanced monitoring, log exports, IAM authentication',
    K3S,
    with_(K3S, { rkeHa: { distribution: 'k3s', datastore: { monitoringInterval: 60, logExports: true, iamAuthentication: true } } }),
  ],
  ['K3s: another datastore port', K3S, with_(K3S, { rkeHa: { distribution: 'k3s', datastore: { port: 5433 } } })],
  [
    'snapshot bucket access logging, events and Object Lock',
    BASE,
    with_(BASE, { rkeHa: { etcdSnapshots: { accessLogging: true, eventNotifications: true, objectLock: true } } }),
  ],
];

describe('rke-ha day 2: ingress-nginx to Traefik as one apply (what the guard stands in front of)', () => {
  const before = synth(NGINX);
  const after = synth(with_(BASE, { rkeHa: { ingressController: 'traefik' } }));
  const changed = blockDifference(before, after).blocks as Record<string, any>;
  const named = (prefix: string) => Object.entries(changed).find(([address]) => address.startsWith(prefix))![1];

  it("changes the servers' held user data, the ingress gate and Rancher's ingress, and nothing else but the guard", () => {
    expect(
      Object.keys(changed)
        .map((address) => address.replace(/_[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual([
      'locals',
      'resource.helm_release.rancher_release',
      'resource.helm_release.readiness-gates_ingress-ready',
      'resource.terraform_data.deployment-guard',
      'resource.terraform_data.deployment-guard_record-rkeHa-ingressController',
    ]);
    // The servers' config.yaml lists Traefik alone: RKE2 reads it at rke2-server start and disables what it does not
    // list. The servers hold their user data (ignore_changes), so the apply changes none: each takes it when rolled.
    const userData = Object.keys(after.locals!).filter((k) => JSON.stringify(before.locals![k]) !== JSON.stringify(after.locals![k]));
    expect(userData.map((k) => k.replace(/_[0-9A-F]{8}$/, ''))).toEqual(['server-0_user-data', 'server-1_user-data', 'server-2_user-data']);
    for (const k of userData) {
      expect(String(before.locals![k])).toContain('ingress-controller:\n        - ingress-nginx\n');
      expect(String(after.locals![k])).toContain('ingress-controller:\n        - traefik\n');
    }
    for (const server of Object.values(resources(after, 'aws_instance'))) expect(server.lifecycle.ignore_changes).toContain('user_data');
    expect(plannedChange(before, after)).toEqual({
      replaced: [expect.stringMatching(/^helm_release\.readiness-gates_ingress-ready_/)],
      destroyed: [],
    });
  });

  it("would move Rancher's ingress in the apply, after a gate that waits for a Traefik the running servers never start", () => {
    const rancher = named('resource.helm_release.rancher_release');
    expect(rancher.values[0]).toContain('"ingressClassName" = "traefik"');
    expect(rancher.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^helm_release\.readiness-gates_ingress-ready_/)]));
    // So one apply cannot move a running deployment: the gate times out (the servers run ingress-nginx until rolled),
    // and each server the roll replaces then restarts RKE2 with Traefik alone, one at a time, while the others keep
    // ingress-nginx. RKE2's migration runs both side by side first (docs/ingress-migration.md, "Off ingress-nginx").
    expect(JSON.stringify(named('resource.helm_release.readiness-gates_ingress-ready'))).toContain('rke2-traefik');
  });
});

describe('rke-ha day 2: turning on a security option', () => {
  it.each(OPTIONS_ON)('%s replaces and destroys no server, bucket, database, load balancer, VPC or subnet', (_name, before, after) => {
    const change = plannedChange(synth(before), synth(after));
    expect(heldData([...change.replaced, ...change.destroyed])).toEqual([]);
  });
});

describe('the model itself', () => {
  it('sees the NLB replaced when its plain subnets become subnet mappings, and kept when nothing about them changes', () => {
    expect(plannedChange(synth(BASE), synth(WILDCARD)).replaced.some((a) => a.startsWith('aws_lb.'))).toBe(true);
    expect(plannedChange(synth(WILDCARD), synth(with_(WILDCARD, { rkeHa: { instanceType: 'm6i.2xlarge' } }))).replaced).toEqual([]);
  });

  it('sees that the servers would all be replaced without their held attributes (a new VPC range)', () => {
    const change = plannedChange(synth(BASE), synth(with_(BASE, { rkeHa: { vpcCidr: '10.1.0.0/16' } })));
    // The VPC and its subnets are replaced; the servers hold subnet and address, so only the guard stops this.
    expect(change.replaced.filter((a) => a.startsWith('aws_vpc.'))).toHaveLength(1);
    expect(change.replaced.filter((a) => a.startsWith('aws_subnet.')).length).toBeGreaterThanOrEqual(3);
  });

  it('sees the destroyed servers of a shrink', () => {
    const change = plannedChange(synth(BASE), synth(with_(BASE, { rkeHa: { nodeCount: 1 } })));
    expect(servers(change.destroyed)).toHaveLength(2);
  });

  it('sees a replaced database when its engine changes, and a replaced bucket when the name changes', () => {
    expect(
      plannedChange(synth(K3S), synth(with_(K3S, { rkeHa: { distribution: 'k3s', datastore: { engine: 'mysql' } } }))).replaced.some((a) =>
        a.startsWith('aws_db_instance.'),
      ),
    ).toBe(true);
    expect(plannedChange(synth(BASE), synth({ ...BASE, name: 'rancher2' })).replaced.some((a) => a.startsWith('aws_s3_bucket.'))).toBe(true);
  });
});

describe('rke-ha day 2 in an existing VPC: no server replaced, nothing of the network touched', () => {
  it.each([...EXISTING_SAFE, ...EXISTING_REFUSED.map(([name, before, after]) => [name, before, after] as const)])('%s', (_name, before, after) => {
    const change = plannedChange(synth(before), synth(after));
    expect(servers(change.replaced).length + servers(change.destroyed).length).toBeLessThanOrEqual(1);
    expect(lostData(change).filter((a) => !a.startsWith('aws_vpc.'))).toEqual([]);
  });
});
