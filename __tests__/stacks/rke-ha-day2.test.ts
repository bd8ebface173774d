import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SettingsInput } from '../../lib/config/schema';
import { RKE_HA_STACK, RkeHaStack } from '../../stacks/rke-ha';
import { refusals } from '../helpers/guard';
import { plannedChange, servers } from '../helpers/replacement';
import { resources, settings, synthStack, type TerraformJson } from '../helpers/synth';
import { describeWithTerraform } from '../helpers/terraform';

/**
 * Day 2, modelled on pairs of synthesized modules: the settings a deployment
 * was created with (before) and the settings of a later apply (after). For
 * every change, either at most one etcd member (server) is replaced or
 * destroyed in that apply, or DeploymentGuard refuses the plan before
 * anything changes, with a message naming the setting and the way forward.
 */
const cache = new Map<string, TerraformJson>();
function synth(input: SettingsInput): TerraformJson {
  const key = JSON.stringify(input);
  let json = cache.get(key);
  if (!json) {
    json = synthStack((app) => new RkeHaStack(app, RKE_HA_STACK, settings(input))).json;
    cache.set(key, json);
  }
  return json;
}

const BASE: SettingsInput = { hostname: 'rancher.example.com', hostedZone: 'example.com' };
const K3S: SettingsInput = { ...BASE, rkeHa: { distribution: 'k3s' } };
const with_ = (base: SettingsInput, change: Record<string, any>): SettingsInput => ({ ...base, ...change, rkeHa: { ...(base.rkeHa ?? {}), ...(change.rkeHa ?? {}) } });

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
  ['an air gap', BASE, with_(BASE, { airGap: { systemDefaultRegistry: 'registry.internal:5000', installerUrl: 'https://mirror.internal/install.sh' } })],
  ['another snapshot schedule', BASE, with_(BASE, { rkeHa: { etcdSnapshots: { scheduleCron: '0 */2 * * *', retention: 50 } } })],
  ['a larger root volume', BASE, with_(BASE, { rkeHa: { rootVolumeGb: 200 } })],
  ['another hostname (new tls-san)', BASE, { ...BASE, hostname: 'rancher2.example.com' }],
  ['growing from one server to three', with_(BASE, { rkeHa: { nodeCount: 1 } }), BASE],
  ['another TLS choice (an ALB in front)', BASE, with_(BASE, { rancher: { tls: { mode: 'external', issuer: 'acme' } } })],
  ['K3s: a larger database class', K3S, with_(K3S, { rkeHa: { distribution: 'k3s', datastore: { instanceClass: 'db.r7g.large' } } })],
  ['K3s: a newer K3s', K3S, with_(K3S, { versions: { k3s: 'v1.35.9+k3s1' } })],
];

const rancherValues = (json: TerraformJson) => Object.values(resources(json, 'helm_release')).find((r) => r.chart === 'rancher').values[0] as string;
const lostData = (c: { replaced: string[]; destroyed: string[] }) => [...c.replaced, ...c.destroyed].filter((a) => /^aws_(s3_bucket|db_instance|vpc)\./.test(a));

/**
 * Changes refused at plan time: the text the message must carry, and the
 * harm the unguarded plan would do (checked on the model, so the guard is
 * known to stand in front of something real).
 */
const REFUSED: [string, SettingsInput, SettingsInput, string, (before: TerraformJson, after: TerraformJson) => void][] = [
  [
    'a new VPC range',
    BASE,
    with_(BASE, { rkeHa: { vpcCidr: '10.1.0.0/16' } }),
    'rkeHa.vpcCidr is "10.1.0.0/16", but this deployment was created with "10.0.0.0/16". A new range replaces the VPC, every subnet and every server at once.',
    (b, a) => expect(lostData(plannedChange(b, a))).toEqual([expect.stringMatching(/^aws_vpc\./)]),
  ],
  [
    'a new name',
    BASE,
    { ...BASE, name: 'rancher2' },
    'name is "rancher2", but this deployment was created with "rancher". Every resource name, the SSM path and the snapshot bucket derive from it',
    (b, a) => expect(plannedChange(b, a).replaced.filter((r) => /^aws_(s3_bucket|lb)\./.test(r))).toHaveLength(2),
  ],
  [
    'another region',
    BASE,
    { ...BASE, region: 'eu-west-1' },
    'region is "eu-west-1", but this deployment was created with "us-east-1".',
    (b, a) => expect([b.provider!.aws[0].region, a.provider!.aws[0].region]).toEqual(['us-east-1', 'eu-west-1']),
  ],
  [
    'RKE2 to K3s',
    BASE,
    K3S,
    'rkeHa.distribution is "k3s", but this deployment was created with "rke2".',
    (b, a) => expect(plannedChange(b, a).destroyed.filter((d) => d.startsWith('aws_s3_bucket.'))).toHaveLength(1),
  ],
  [
    'another datastore engine',
    K3S,
    with_(K3S, { rkeHa: { distribution: 'k3s', datastore: { engine: 'mysql' } } }),
    'rkeHa.datastore.engine is "mysql", but this deployment was created with "postgres". A new engine creates a new, empty database',
    (b, a) => expect(lostData(plannedChange(b, a))).toEqual([expect.stringMatching(/^aws_db_instance\./)]),
  ],
  [
    'another ingress controller',
    BASE,
    with_(BASE, { rkeHa: { ingressController: 'traefik' } }),
    'rkeHa.ingressController is "traefik", but this deployment was created with "ingress-nginx".',
    // The running servers keep ingress-nginx (held user data) while Rancher's ingress would ask for Traefik.
    (b, a) => expect([rancherValues(b), rancherValues(a)].map((v) => /"ingressClassName" = "(\w+)"/.exec(v)![1])).toEqual(['nginx', 'traefik']),
  ],
  [
    'three servers to one',
    BASE,
    with_(BASE, { rkeHa: { nodeCount: 1 } }),
    'rkeHa.nodeCount is 1, but 3 servers of this deployment exist: this apply would destroy 2 etcd members at once and the cluster would lose quorum.',
    (b, a) => expect(servers(plannedChange(b, a).destroyed)).toHaveLength(2),
  ],
];

describe('rke-ha day 2: changes a running deployment takes', () => {
  it.each(SAFE)('%s replaces or destroys at most one server, and nothing that holds the cluster\'s data', (_name, before, after) => {
    const change = plannedChange(synth(before), synth(after));
    expect(servers(change.replaced).length + servers(change.destroyed).length).toBeLessThanOrEqual(1);
    // Neither the snapshot bucket nor the datastore nor the VPC goes.
    expect(lostData(change)).toEqual([]);
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
        expect(instance.lifecycle.ignore_changes).toEqual(['ami', 'user_data', 'user_data_base64', 'instance_type', 'key_name', 'subnet_id', 'private_ip', 'associate_public_ip_address']);
      }
    }
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
const release = (file: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'release-0.2.0', file), 'utf8')) as TerraformJson;
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
  ['every VPC endpoint, private nodes', with_(BASE, { rkeHa: { privateNodes: true } }), with_(BASE, { rkeHa: { privateNodes: true }, vpc: { endpoints: ['s3', 'ssm', 'ssmmessages', 'ec2messages'] } })],
  ['VPC endpoints, K3s', K3S, { ...K3S, vpc: { endpoints: ['s3', 'ssm'] } }],
  ['K3s: enhanced monitoring, log exports, IAM authentication', K3S, with_(K3S, { rkeHa: { distribution: 'k3s', datastore: { monitoringInterval: 60, logExports: true, iamAuthentication: true } } })],
  ['K3s: another datastore port', K3S, with_(K3S, { rkeHa: { distribution: 'k3s', datastore: { port: 5433 } } })],
  ['snapshot bucket access logging, events and Object Lock', BASE, with_(BASE, { rkeHa: { etcdSnapshots: { accessLogging: true, eventNotifications: true, objectLock: true } } })],
];

describe('rke-ha day 2: turning on a security option', () => {
  it.each(OPTIONS_ON)('%s replaces and destroys no server, bucket, database, load balancer, VPC or subnet', (_name, before, after) => {
    const change = plannedChange(synth(before), synth(after));
    expect(heldData([...change.replaced, ...change.destroyed])).toEqual([]);
  });
});

describe('the model itself', () => {
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
    expect(plannedChange(synth(K3S), synth(with_(K3S, { rkeHa: { distribution: 'k3s', datastore: { engine: 'mysql' } } }))).replaced.some((a) => a.startsWith('aws_db_instance.'))).toBe(true);
    expect(plannedChange(synth(BASE), synth({ ...BASE, name: 'rancher2' })).replaced.some((a) => a.startsWith('aws_s3_bucket.'))).toBe(true);
  });
});

describeWithTerraform('rke-ha day 2: changes refused at plan time (guard preconditions evaluated by terraform)', () => {
  it.each(SAFE)('%s: nothing refused', (_name, before, after) => {
    expect(refusals(synth(before), synth(after))).toEqual([]);
  });

  it.each(REFUSED)('%s: refused, naming the setting and what to do', (_name, before, after, message, harm) => {
    const refused = refusals(synth(before), synth(after));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain(message);
    harm(synth(before), synth(after));
  });

  it('going below quorum is possible with the explicit opt-in, after the members were removed one at a time', () => {
    const after = with_(BASE, { rkeHa: { nodeCount: 1, allowQuorumLoss: true } });
    expect(refusals(synth(BASE), synth(after))).toEqual([]);
    expect(servers(plannedChange(synth(BASE), synth(after)).destroyed)).toHaveLength(2);
  });

  it('a deliberate change is accepted once its record is replaced (the README procedure)', () => {
    const before = synth(BASE);
    const after = synth(with_(BASE, { rkeHa: { ingressController: 'traefik' } }));
    const record = Object.keys(resources(after, 'terraform_data')).find((n) => n.includes('record-rkeHa-ingressController'))!;
    const replacedRecord = { ...before, resource: { ...before.resource, terraform_data: { ...resources(before, 'terraform_data'), [record]: { input: 'traefik' } } } };
    expect(refusals(replacedRecord, after)).toEqual([]);
  });
});
