// What rke-ha-day2.test.ts (the model) and rke-ha-day2.tools.test.ts (the guard evaluated by terraform) share: the
// settings before and after each day-2 change and the helpers that read a planned change. Synthesizes only when called.
import { cidrHost } from '../../../lib/config/cidr';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { plannedChange } from '../../helpers/replacement';
import { resources, type TerraformJson, userDataOf } from '../../helpers/synth';
import { EXAMPLE_DOMAIN, synthSettings, RKE_HA_STACK } from '../../helpers/variants';
import { LB, NETWORK, NODES, SPARE, VPC } from '../../helpers/sample-network';
import { patchAbove, withTestSums } from '../../helpers/release-sums';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';

/**
 * Day 2, modelled on pairs of synthesized modules: the settings a deployment
 * was created with (before) and the settings of a later apply (after). For
 * every change, either at most one etcd member (server) is replaced or
 * destroyed in that apply, or DeploymentGuard refuses the plan before
 * anything changes, with a message naming the setting and the way forward.
 */
export const synth = (input: SettingsInput): TerraformJson => synthSettings(RKE_HA_STACK, input).json;

export const BASE: SettingsInput = { ...EXAMPLE_DOMAIN };
const NEWER_RKE2 = patchAbove(DEFAULT_VERSIONS.rke2);
const NEWER_K3S = patchAbove(DEFAULT_VERSIONS.k3s);
export const K3S: SettingsInput = { ...BASE, rkeHa: { distribution: 'k3s' } };
export const DNS: SettingsInput = { ...BASE, rkeHa: { loadBalancer: { type: 'dns' } } };
/** A deployment on ingress-nginx: named, as one created before Traefik became the default keeps it. */
export const NGINX: SettingsInput = { ...BASE, rkeHa: { ingressController: 'ingress-nginx' } };
/** No domain: Rancher named after the NLB's first Elastic IP (dns.mode wildcard). */
export const WILDCARD: SettingsInput = { dns: { mode: 'wildcard' } };
export const with_ = (base: SettingsInput, change: Record<string, any>): SettingsInput => ({
  ...base,
  ...change,
  rkeHa: { ...(base.rkeHa ?? {}), ...(change.rkeHa ?? {}) },
});

/** Changes a running deployment takes without replacing more than one server at a time. */
export const SAFE: [string, SettingsInput, SettingsInput][] = [
  ['an SSH key added', BASE, with_(BASE, { rkeHa: { sshKeyName: 'ops' } })],
  ['an SSH key changed', with_(BASE, { rkeHa: { sshKeyName: 'ops' } }), with_(BASE, { rkeHa: { sshKeyName: 'ops-2026' } })],
  ['nodes moved to private subnets', BASE, with_(BASE, { rkeHa: { privateNodes: true } })],
  ['nodes moved back to public subnets', with_(BASE, { rkeHa: { privateNodes: true } }), BASE],
  ['a larger instance type', BASE, with_(BASE, { rkeHa: { instanceType: 'm6i.2xlarge' } })],
  ['a pinned AMI', BASE, with_(BASE, { rkeHa: { amiId: 'ami-0123456789abcdef0' } })],
  ['a newer RKE2', BASE, with_(BASE, withTestSums({ versions: { rke2: NEWER_RKE2 } }))],
  ['a proxy', BASE, with_(BASE, { proxy: { http: 'http://proxy.internal:3128' } })],
  [
    'an air gap',
    BASE,
    with_(BASE, { airGap: { systemDefaultRegistry: 'registry.internal:5000', installerUrl: 'https://mirror.internal/install.sh' } }),
  ],
  ['another snapshot schedule', BASE, with_(BASE, { rkeHa: { etcdSnapshots: { scheduleCron: '0 */2 * * *', retention: 50 } } })],
  ['a larger root volume', BASE, with_(BASE, { rkeHa: { rootVolumeGb: 200 } })],
  // The agents' name and CA, accepted (issue 32.6: refused without; __tests__/app/stacks/agent-trust.tools.test.ts).
  [
    'another hostname (new tls-san)',
    BASE,
    { ...BASE, hostname: 'rancher2.example.com', rancher: { acceptAgentChange: { hostname: 'rancher2.example.com' } } },
  ],
  ['growing from one server to three', with_(BASE, { rkeHa: { nodeCount: 1 } }), BASE],
  [
    'another TLS choice (an ALB in front)',
    NGINX,
    with_(NGINX, { rancher: { tls: { mode: 'external', issuer: 'acme' }, acceptAgentChange: { ca: 'public' } } }),
  ],
  ['K3s: a larger database class', K3S, with_(K3S, { rkeHa: { distribution: 'k3s', datastore: { instanceClass: 'db.r7g.large' } } })],
  ['K3s: a newer K3s', K3S, with_(K3S, withTestSums({ versions: { k3s: NEWER_K3S } }))],
  ['the NLB replaced by DNS round robin', BASE, DNS],
  ['DNS round robin: growing from one server to three', with_(DNS, { rkeHa: { nodeCount: 1 } }), DNS],
  ['K3s: the NLB replaced by DNS round robin', K3S, with_(K3S, { rkeHa: { distribution: 'k3s', loadBalancer: { type: 'dns' } } })],
];

/** The same changes on a deployment without a domain. */
export const SAFE_WILDCARD: [string, SettingsInput, SettingsInput][] = [
  ['an SSH key added', WILDCARD, with_(WILDCARD, { rkeHa: { sshKeyName: 'ops' } })],
  ['nodes moved to private subnets', WILDCARD, with_(WILDCARD, { rkeHa: { privateNodes: true } })],
  ['a larger instance type', WILDCARD, with_(WILDCARD, { rkeHa: { instanceType: 'm6i.2xlarge' } })],
  ['a newer RKE2', WILDCARD, with_(WILDCARD, withTestSums({ versions: { rke2: NEWER_RKE2 } }))],
  ['growing from one server to three', with_(WILDCARD, { rkeHa: { nodeCount: 1 } }), WILDCARD],
  [
    "Let's Encrypt instead of Rancher's CA",
    WILDCARD,
    with_(WILDCARD, { rancher: { tls: { issuer: 'acme', acme: { email: 'ops@example.com' } }, acceptAgentChange: { ca: 'public' } } }),
  ],
];

/** What a change does to the balancer and to the addresses a wildcard name embeds. */
export const front = (c: { replaced: string[]; destroyed: string[] }) => [...c.replaced, ...c.destroyed].filter((a) => /^aws_(lb|eip)\./.test(a));
export const lostData = (c: { replaced: string[]; destroyed: string[] }) =>
  [...c.replaced, ...c.destroyed].filter((a) => /^aws_(s3_bucket|db_instance|vpc)\./.test(a));

/**
 * The Rancher record (`dns/record`) is one Terraform address in both modes, so
 * a switch updates it instead of creating a second record set for the name
 * next to the first (which Route53 refuses between a simple and a multivalue
 * record of one name).
 */
export const records = (json: TerraformJson) => Object.keys(resources(json, 'aws_route53_record')).map((n) => `aws_route53_record.${n}`);
/** The Rancher record's address (`dns/record`), the first of the round robin's. */
export const rancherRecords = (json: TerraformJson) => records(json).filter((a) => /^aws_route53_record\.dns_record_[0-9A-F]+$/.test(a));

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
    .sort(([a], [b]) => a.localeCompare(b, 'en'))
    .map(([, server]) => {
      const peers = /PEER_IPS="([^"]*)"/.exec(userDataOf(json, server))![1];
      return [...peers.matchAll(/\$\{cidrhost\(data\.aws_subnet\.([^.]+)\.cidr_block, (\d+)\)\}/g)].map((m) => cidrHost(cidr(m[1]), Number(m[2])));
    });
}
/** The addresses the servers of `json` run at (their private_ip on the sample network). */
function runningAddresses(json: TerraformJson): string[] {
  return Object.entries(resources(json, 'aws_instance'))
    .sort(([a], [b]) => a.localeCompare(b, 'en'))
    .map(([, server]) => {
      const m = /^\$\{cidrhost\(data\.aws_subnet\.([^.]+)\.cidr_block, (\d+)\)\}$/.exec(server.private_ip)!;
      return cidrHost(NETWORK.subnets[json.data!.aws_subnet[m[1]].id].cidr_block, Number(m[2]));
    });
}

export const EXISTING_SAFE: [string, SettingsInput, SettingsInput][] = [
  ['one server moved to another subnet of its zone', EXISTING, moved(1)],
  ['a second server moved once the first was rolled', moved(1), moved(1, 2)],
  ['growing from one server to three', existing({}, { nodeCount: 1 }), EXISTING],
  ['a proxy (the route check of the node subnets is dropped)', EXISTING, with_(EXISTING, { proxy: { http: 'http://proxy.internal:3128' } })],
];

export const EXISTING_REFUSED: [string, SettingsInput, SettingsInput, string, (before: TerraformJson, after: TerraformJson) => void][] = [
  [
    'another VPC',
    EXISTING,
    existing({ vpcId: 'vpc-0fedcba9876543210' }),
    `existingNetwork.vpc is "vpc-0fedcba9876543210", but this deployment was created with "${VPC}". The servers, their security group and the load balancers live in that VPC`,
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
    `existingNetwork.vpc is "${VPC}", but this deployment was created with "10.0.0.0/16".`,
    (b, a) => expect(plannedChange(b, a).destroyed.filter((d) => /^aws_(vpc|subnet|internet_gateway)\./.test(d))).toHaveLength(5),
  ],
  [
    'an existing network left for a created one',
    EXISTING,
    BASE,
    `vpcCidr is "10.0.0.0/16", but this deployment was created with "${VPC}". A new range replaces the VPC`,
    (_b, a) => expect(Object.keys(resources(a, 'aws_vpc'))).toHaveLength(1),
  ],
  [
    'two servers moved at once',
    EXISTING,
    moved(1, 2),
    'existingNetwork moves the running servers at ["10.20.32.10","10.20.48.10"] to other addresses at once.',
    // server-0, not moved, replaced first (a new AMI) would look for the others only where nobody answers yet.
    (b, a) => expect(peerAddresses(a)[0].filter((ip) => runningAddresses(b).includes(ip))).toEqual([]),
  ],
  [
    'another host number',
    EXISTING,
    existing({ nodeHostNumber: 11 }),
    'existingNetwork moves the running servers at ["10.20.16.10","10.20.32.10","10.20.48.10"] to other addresses at once.',
    (b, a) =>
      expect(
        peerAddresses(a)
          .flat()
          .filter((ip) => runningAddresses(b).includes(ip)),
      ).toEqual([]),
  ],
];
