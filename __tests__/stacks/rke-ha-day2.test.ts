import { join } from 'node:path';
import { cidrHost } from '../../lib/config/cidr';
import type { SettingsInput } from '../../lib/config/schema';
import { RKE_HA_STACK } from '../../app/stacks/rke-ha';
import { plannedChange, servers } from '../helpers/replacement';
import { readJson, resources, type TerraformJson, userDataOf } from '../helpers/synth';
import { synthSettings } from '../helpers/variants';
import { LB, NETWORK, NODES, SPARE, VPC } from '../helpers/sample-network';

/**
 * Day 2, modelled on pairs of synthesized modules: the settings a deployment
 * was created with (before) and the settings of a later apply (after). For
 * every change, either at most one etcd member (server) is replaced or
 * destroyed in that apply, or DeploymentGuard refuses the plan before
 * anything changes, with a message naming the setting and the way forward.
 */
const synth = (input: SettingsInput): TerraformJson => synthSettings(RKE_HA_STACK, input).json;

const BASE: SettingsInput = { hostname: 'rancher.example.com', hostedZone: 'example.com' };
const K3S: SettingsInput = { ...BASE, rkeHa: { distribution: 'k3s' } };
const DNS: SettingsInput = { ...BASE, rkeHa: { loadBalancer: { type: 'dns' } } };
/** No domain: Rancher named after the NLB's first Elastic IP (dns.mode wildcard). */
const WILDCARD: SettingsInput = { dns: { mode: 'wildcard' } };
const with_ = (base: SettingsInput, change: Record<string, any>): SettingsInput => ({
  ...base,
  ...change,
  rkeHa: { ...(base.rkeHa ?? {}), ...(change.rkeHa ?? {}) },
});

/** Changes a running deployment takes without replacing more than one server at a time. */
const SAFE: [string, SettingsInput, SettingsInput][] = [
  ['an SSH key added', BASE, with_(BASE, { rkeHa: { sshKeyName: 'ops' } })],
  ['an SSH key changed', with_(BASE, { rkeHa: { sshKeyName: 'ops' } }), with_(BASE, { rkeHa: { sshKeyName: 'ops-2026' } })],
  ['nodes moved to private subnets', BASE, with_(BASE, { rkeHa: { privateNodes: true } })],
  ['nodes moved back to public subnets', with_(BASE, { rkeHa: { privateNodes: true } }), BASE],
  ['a larger instance type', BASE, with_(BASE, { rkeHa: { instanceType: 'm6i.2xlarge' } })],
  ['a pinned AMI', BASE, with_(BASE, { rkeHa: { amiId: 'ami-0123456789abcdef0' } })],
  ['a newer RKE2', BASE, with_(BASE, { versions: { rke2: 'v1.35.9+rke2r1' } })],
  ['a proxy', BASE, with_(BASE, { proxy: { http: 'http://proxy.internal:3128' } })],
  [
    'an air gap',
    BASE,
    with_(BASE, { airGap: { systemDefaultRegistry: 'registry.internal:5000', installerUrl: 'https://mirror.internal/install.sh' } }),
  ],
  ['another snapshot schedule', BASE, with_(BASE, { rkeHa: { etcdSnapshots: { scheduleCron: '0 */2 * * *', retention: 50 } } })],
  ['a larger root volume', BASE, with_(BASE, { rkeHa: { rootVolumeGb: 200 } })],
  ['another hostname (new tls-san)', BASE, { ...BASE, hostname: 'rancher2.example.com' }],
  ['growing from one server to three', with_(BASE, { rkeHa: { nodeCount: 1 } }), BASE],
  ['another TLS choice (an ALB in front)', BASE, with_(BASE, { rancher: { tls: { mode: 'external', issuer: 'acme' } } })],
  ['K3s: a larger database class', K3S, with_(K3S, { rkeHa: { distribution: 'k3s', datastore: { instanceClass: 'db.r7g.large' } } })],
  ['K3s: a newer K3s', K3S, with_(K3S, { versions: { k3s: 'v1.35.9+k3s1' } })],
  ['the NLB replaced by DNS round robin', BASE, DNS],
  ['DNS round robin: growing from one server to three', with_(DNS, { rkeHa: { nodeCount: 1 } }), DNS],
  ['K3s: the NLB replaced by DNS round robin', K3S, with_(K3S, { rkeHa: { distribution: 'k3s', loadBalancer: { type: 'dns' } } })],
];

/** The same changes on a deployment without a domain. */
const SAFE_WILDCARD: [string, SettingsInput, SettingsInput][] = [
  ['an SSH key added', WILDCARD, with_(WILDCARD, { rkeHa: { sshKeyName: 'ops' } })],
  ['nodes moved to private subnets', WILDCARD, with_(WILDCARD, { rkeHa: { privateNodes: true } })],
  ['a larger instance type', WILDCARD, with_(WILDCARD, { rkeHa: { instanceType: 'm6i.2xlarge' } })],
  ['a newer RKE2', WILDCARD, with_(WILDCARD, { versions: { rke2: 'v1.35.9+rke2r1' } })],
  ['growing from one server to three', with_(WILDCARD, { rkeHa: { nodeCount: 1 } }), WILDCARD],
  ["Let's Encrypt instead of Rancher's CA", WILDCARD, with_(WILDCARD, { rancher: { tls: { issuer: 'acme', acme: { email: 'ops@example.com' } } } })],
];

/** What a change does to the balancer and to the addresses a wildcard name embeds. */
const front = (c: { replaced: string[]; destroyed: string[] }) => [...c.replaced, ...c.destroyed].filter((a) => /^aws_(lb|eip)\./.test(a));
const lostData = (c: { replaced: string[]; destroyed: string[] }) =>
  [...c.replaced, ...c.destroyed].filter((a) => /^aws_(s3_bucket|db_instance|vpc)\./.test(a));

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
        expect(instance.lifecycle.ignore_changes).toEqual([
          'ami',
          'user_data',
          'user_data_base64',
          'instance_type',
          'key_name',
          'subnet_id',
          'private_ip',
          'associate_public_ip_address',
        ]);
      }
    }
  });
});

/**
 * The Rancher record (`dns/record`) is one Terraform address in both modes, so
 * a switch updates it instead of creating a second record set for the name
 * next to the first (which Route53 refuses between a simple and a multivalue
 * record of one name).
 */
const records = (json: TerraformJson) => Object.keys(resources(json, 'aws_route53_record')).map((n) => `aws_route53_record.${n}`);
/** The Rancher record's address (`dns/record`), the first of the round robin's. */
const rancherRecords = (json: TerraformJson) => records(json).filter((a) => /^aws_route53_record\.dns_record_[0-9A-F]+$/.test(a));

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
const release = (file: string) => readJson(join(__dirname, '..', 'fixtures', 'release-0.2.0', file)) as TerraformJson;
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

/**
 * Day 2 in an existing VPC (rkeHa.existingNetwork): the same model and guard,
 * with the facts the network's data sources would read (a shared VPC with
 * spare subnets in the servers' zones, __tests__/helpers/sample-network.ts).
 */
const existing = (network: Record<string, unknown> = {}, rkeHa: Record<string, unknown> = {}): SettingsInput =>
  with_(BASE, { rkeHa: { ...rkeHa, existingNetwork: { vpcId: VPC, loadBalancerSubnetIds: LB, nodeSubnetIds: NODES, ...network } } });
const EXISTING = existing();
const moved = (...indices: number[]) => existing({ nodeSubnetIds: NODES.map((id, i) => (indices.includes(i) ? SPARE[i] : id)) });

/** Where each server of `json` would look for its peers (PEER_IPS), as addresses on the sample network. */
function peerAddresses(json: TerraformJson): string[][] {
  const cidr = (name: string) => NETWORK.subnets[json.data!.aws_subnet[name].id].cidr_block;
  return Object.entries(resources(json, 'aws_instance'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, server]) => {
      const peers = /PEER_IPS="([^"]*)"/.exec(userDataOf(json, server))![1];
      return [...peers.matchAll(/\$\{cidrhost\(data\.aws_subnet\.([^.]+)\.cidr_block, (\d+)\)\}/g)].map((m) => cidrHost(cidr(m[1]), Number(m[2])));
    });
}
/** The addresses the servers of `json` run at (their private_ip on the sample network). */
function runningAddresses(json: TerraformJson): string[] {
  return Object.entries(resources(json, 'aws_instance'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, server]) => {
      const m = /^\$\{cidrhost\(data\.aws_subnet\.([^.]+)\.cidr_block, (\d+)\)\}$/.exec(server.private_ip)!;
      return cidrHost(NETWORK.subnets[json.data!.aws_subnet[m[1]].id].cidr_block, Number(m[2]));
    });
}

const EXISTING_SAFE: [string, SettingsInput, SettingsInput][] = [
  ['one server moved to another subnet of its zone', EXISTING, moved(1)],
  ['a second server moved once the first was rolled', moved(1), moved(1, 2)],
  ['growing from one server to three', existing({}, { nodeCount: 1 }), EXISTING],
  ['a proxy (the route check of the node subnets is dropped)', EXISTING, with_(EXISTING, { proxy: { http: 'http://proxy.internal:3128' } })],
];

const EXISTING_REFUSED: [string, SettingsInput, SettingsInput, string, (before: TerraformJson, after: TerraformJson) => void][] = [
  [
    'another VPC',
    EXISTING,
    existing({ vpcId: 'vpc-0fedcba9876543210' }),
    `rkeHa.existingNetwork.vpcId is "vpc-0fedcba9876543210", but this deployment was created with "${VPC}". The servers, their security group and the load balancers live in that VPC`,
    // The security groups follow the VPC the data source reads (new groups there), while the servers hold their subnets.
    (b, a) => {
      const vpcOf = (json: TerraformJson) => Object.values(json.data!.aws_vpc).map((v) => v.id);
      expect([vpcOf(b), vpcOf(a)]).toEqual([[VPC], ['vpc-0fedcba9876543210']]);
      for (const group of Object.values(resources(a, 'aws_security_group'))) expect(group.vpc_id).toMatch(/^\$\{data\.aws_vpc\./);
      for (const server of Object.values(resources(a, 'aws_instance'))) expect(server.lifecycle.ignore_changes).toContain('subnet_id');
    },
  ],
  [
    'a created network moved to an existing one',
    BASE,
    EXISTING,
    `rkeHa.existingNetwork.vpcId is "${VPC}", but this deployment was created with "10.0.0.0/16".`,
    (b, a) => expect(plannedChange(b, a).destroyed.filter((d) => /^aws_(vpc|subnet|internet_gateway)\./.test(d))).toHaveLength(5),
  ],
  [
    'an existing network left for a created one',
    EXISTING,
    BASE,
    `rkeHa.vpcCidr is "10.0.0.0/16", but this deployment was created with "${VPC}". A new range replaces the VPC`,
    (_b, a) => expect(Object.keys(resources(a, 'aws_vpc'))).toHaveLength(1),
  ],
  [
    'two servers moved at once',
    EXISTING,
    moved(1, 2),
    'rkeHa.existingNetwork moves the running servers at ["10.20.32.10","10.20.48.10"] to other addresses at once.',
    // server-0, not moved, replaced first (a new AMI) would look for the others only where nobody answers yet.
    (b, a) => expect(peerAddresses(a)[0].filter((ip) => runningAddresses(b).includes(ip))).toEqual([]),
  ],
  [
    'another host number',
    EXISTING,
    existing({ nodeHostNumber: 11 }),
    'rkeHa.existingNetwork moves the running servers at ["10.20.16.10","10.20.32.10","10.20.48.10"] to other addresses at once.',
    (b, a) =>
      expect(
        peerAddresses(a)
          .flat()
          .filter((ip) => runningAddresses(b).includes(ip)),
      ).toEqual([]),
  ],
];

describe('rke-ha day 2 in an existing VPC: no server replaced, nothing of the network touched', () => {
  it.each([...EXISTING_SAFE, ...EXISTING_REFUSED.map(([name, before, after]) => [name, before, after] as const)])('%s', (_name, before, after) => {
    const change = plannedChange(synth(before), synth(after));
    expect(servers(change.replaced).length + servers(change.destroyed).length).toBeLessThanOrEqual(1);
    expect(lostData(change).filter((a) => !a.startsWith('aws_vpc.'))).toEqual([]);
  });
});
