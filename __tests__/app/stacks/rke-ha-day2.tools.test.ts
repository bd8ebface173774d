import type { SettingsInput } from '../../../app/config/settings-schema';
import { refusals, refusalsEach } from '../../helpers/guard';
import { plannedChange, servers } from '../../helpers/replacement';
import { resources, type TerraformJson } from '../../helpers/synth';
import { applyOrder, describeWithTerraform } from '../../helpers/terraform';
import { NETWORK } from '../../helpers/sample-network';
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
  records,
  rancherRecords,
  EXISTING_SAFE,
  EXISTING_REFUSED,
} from './rke-ha-day2.setup';

const rancherValues = (json: TerraformJson) => Object.values(resources(json, 'helm_release')).find((r) => r.chart === 'rancher').values[0] as string;

/**
 * Changes refused at plan time: the text the message must carry, and the
 * harm the unguarded plan would do (checked on the model, so the guard is
 * known to stand in front of something real).
 */
/** What a dns.mode switch does if accepted: the NLB replaced (subnets become subnet mappings), and `count` of `prefix` destroyed. */
const nlbReplacedAnd = (prefix: string, count: number) => (before: TerraformJson, after: TerraformJson) => {
  const change = plannedChange(before, after);
  expect(change.replaced.filter((r) => r.startsWith('aws_lb.'))).toHaveLength(1);
  expect(change.destroyed.filter((d) => d.startsWith(prefix))).toHaveLength(count);
};

const REFUSED: [string, SettingsInput, SettingsInput, string, (before: TerraformJson, after: TerraformJson) => void][] = [
  [
    'a new VPC range',
    BASE,
    with_(BASE, { rkeHa: { vpcCidr: '10.1.0.0/16' } }),
    'vpcCidr is "10.1.0.0/16", but this deployment was created with "10.0.0.0/16". A new range replaces the VPC, every subnet and every server at once.',
    (b, a) => expect(lostData(plannedChange(b, a))).toEqual([expect.stringMatching(/^aws_vpc\./)]),
  ],
  [
    'a new name',
    BASE,
    { ...BASE, name: 'rancher2' },
    'name is "rancher2", but this deployment was created with "rancher". Every resource name, the SSM path and the snapshot bucket derive from it',
    // The NLB, the etcd snapshot bucket, Rancher's backup bucket and the servers' boot documents' bucket.
    (b, a) => expect(plannedChange(b, a).replaced.filter((r) => /^aws_(s3_bucket|lb)\./.test(r))).toHaveLength(4),
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
    'distribution is "k3s", but this deployment was created with "rke2".',
    (b, a) => expect(plannedChange(b, a).destroyed.filter((d) => d.startsWith('aws_s3_bucket.'))).toHaveLength(1),
  ],
  [
    'another datastore engine',
    K3S,
    with_(K3S, { rkeHa: { distribution: 'k3s', datastore: { engine: 'mysql' } } }),
    'datastore.engine is "mysql", but this deployment was created with "postgres". A new engine creates a new, empty database',
    (b, a) => expect(lostData(plannedChange(b, a))).toEqual([expect.stringMatching(/^aws_db_instance\./)]),
  ],
  [
    'another ingress controller',
    NGINX,
    with_(BASE, { rkeHa: { ingressController: 'traefik' } }),
    'ingressController is "traefik", but this deployment was created with "ingress-nginx". The servers keep the controller they started with',
    // The running servers keep ingress-nginx (held user data) while Rancher's ingress would ask for Traefik.
    (b, a) => expect([rancherValues(b), rancherValues(a)].map((v) => /"ingressClassName" = "(\w+)"/.exec(v)![1])).toEqual(['nginx', 'traefik']),
  ],
  [
    'the settings of a deployment created with ingress-nginx, unchanged, now that Traefik is the default',
    NGINX,
    BASE,
    'ingressController is "traefik", but this deployment was created with "ingress-nginx". ingressController is unset: its default is traefik for new deployments',
    // Unguarded, the new default would move Rancher's ingress to a class the running servers do not serve.
    (b, a) => expect([rancherValues(b), rancherValues(a)].map((v) => /"ingressClassName" = "(\w+)"/.exec(v)![1])).toEqual(['nginx', 'traefik']),
  ],
  [
    'no domain (dns.mode wildcard) for a Route53 deployment',
    BASE,
    WILDCARD,
    'dns.mode is "wildcard", but this deployment was created with "route53". Rancher\'s name changes with it (its server-url, which every downstream cluster\'s agent uses), and the load balancer is replaced (Elastic IPs on its subnet mappings come or go), with every address the old name resolved to. Keep dns.mode route53 for a deployment that has a domain',
    // Subnets become subnet mappings: a new NLB (new addresses), and the record the old name resolved through goes.
    nlbReplacedAnd('aws_route53_record.', 1),
  ],
  [
    'a domain (dns.mode route53) for a deployment without one',
    WILDCARD,
    BASE,
    'dns.mode is "route53", but this deployment was created with "wildcard". Rancher\'s name changes with it (its server-url, which every downstream cluster\'s agent uses), and the load balancer is replaced (Elastic IPs on its subnet mappings come or go), with every address the old name resolved to. For a domain of your own, build a new deployment with dns.mode route53 and move Rancher to it with the rancher-backup operator. To switch this deployment anyway, accept it: terraform apply -replace=<the dns.mode record>',
    // The NLB is replaced and the Elastic IPs the old name embeds are released.
    nlbReplacedAnd('aws_eip.', 3),
  ],
  [
    'another wildcard domain',
    WILDCARD,
    { dns: { mode: 'wildcard', wildcardDomain: 'nip.io' } },
    'dns.wildcardDomain is "nip.io", but this deployment was created with "sslip.io". Rancher\'s name (its server-url, which every downstream cluster\'s agent uses) would move to the other domain.',
    // Nothing is replaced, but Rancher's ingress would answer another name than the one agents dial.
    (b, a) => {
      expect(front(plannedChange(b, a))).toEqual([]);
      expect([rancherValues(b), rancherValues(a)].map((v) => /"hostname" = "\$\{[^}]+\}\.([a-z.]+)"/.exec(v)![1])).toEqual(['sslip.io', 'nip.io']);
    },
  ],
  [
    'DNS round robin replaced by the NLB',
    DNS,
    BASE,
    'loadBalancer.type is "nlb", but this deployment was created with "dns". With the NLB Terraform reaches the Kubernetes API by the NLB\'s own name',
    // The providers would be configured with the name of an NLB this very plan creates (unknown), which no server certificate carries.
    (b, a) => {
      const lbOfHost = (json: TerraformJson) => /aws_lb\.([A-Za-z0-9_-]+)\.dns_name/.exec(json.provider!.kubernetes[0].host)?.[1];
      expect(lbOfHost(b)).toBeUndefined();
      expect(resources(b, 'aws_lb')[lbOfHost(a)!]).toBeUndefined();
    },
  ],
  [
    'three servers to one',
    BASE,
    with_(BASE, { rkeHa: { nodeCount: 1 } }),
    'nodeCount is 1, but 3 servers of this deployment exist: this apply would destroy 2 etcd members at once and the cluster would lose quorum.',
    (b, a) => expect(servers(plannedChange(b, a).destroyed)).toHaveLength(2),
  ],
];

/**
 * The name's resources as `terraform_data` stand-ins with the same
 * addresses and dependencies (explicit and by reference), each holding its
 * arguments as text: Terraform orders a change of these as it would the
 * real resources, since ordering is decided by core, not by the provider.
 */
const STAND_IN_TYPES = ['aws_route53_record', 'aws_route53_health_check', 'aws_eip', 'aws_eip_association', 'aws_lb'];
const standInName = (address: string) => address.replace('.', '__');
function standIns(json: TerraformJson): object {
  const included = new Set(STAND_IN_TYPES.flatMap((type) => Object.keys(resources(json, type)).map((name) => `${type}.${name}`)));
  const data: Record<string, unknown> = {};
  for (const address of included) {
    const [type, name] = address.split('.');
    const { '//': _metadata, depends_on: dependsOn = [], ...body } = resources(json, type)[name];
    const text = JSON.stringify(body);
    const references = [...text.matchAll(/\$\{[^}]*?\b([a-z0-9_]+\.[A-Za-z0-9_-]+)\./g)].map((m) => m[1]);
    const dependencies = [...new Set([...(dependsOn as string[]), ...references])].filter((d) => included.has(d));
    data[standInName(address)] = {
      input: text.replace(/\$\{/g, () => '$${'),
      depends_on: dependencies.map((d) => `terraform_data.${standInName(d)}`),
    };
  }
  return { resource: { terraform_data: data } };
}

describeWithTerraform('rke-ha day 2: the switch, ordered by terraform (stand-ins for the records, checks, addresses and NLB)', () => {
  const standIn = (address: string) => `terraform_data.${standInName(address)}`;
  const firstOf = (json: TerraformJson) => rancherRecords(json)[0];

  it("NLB to DNS round robin: the record is converted in place, and only then the other nodes' records are created", () => {
    const order = applyOrder(standIns(synth(BASE)), standIns(synth(DNS)));
    const first = standIn(firstOf(synth(DNS)));
    const others = records(synth(DNS))
      .map(standIn)
      .filter((a) => a !== first);
    expect(others).toHaveLength(2);
    expect(order.actions.get(first)).toBe('update');
    for (const other of others) {
      expect(order.actions.get(other)).toBe('create');
      expect(order.before.get(other)).toContain(first);
    }
    // The record is repointed once the NLB is gone: Rancher's name does not answer for that while (README).
    const lb = standIn(`aws_lb.${Object.keys(resources(synth(BASE), 'aws_lb'))[0]}`);
    expect(order.actions.get(lb)).toBe('delete');
    expect(order.before.get(first)).toContain(`${lb} (destroy)`);
  });

  it("DNS round robin to the NLB: the other nodes' records are deleted before the record is converted back", () => {
    const order = applyOrder(standIns(synth(DNS)), standIns(synth(BASE)));
    const first = standIn(firstOf(synth(BASE)));
    const others = records(synth(DNS))
      .map(standIn)
      .filter((a) => a !== first);
    expect(order.actions.get(first)).toBe('update');
    for (const other of others) {
      expect(order.actions.get(other)).toBe('delete');
      expect(order.before.get(first)).toContain(`${other} (destroy)`);
    }
    // The new NLB exists before the record points at it.
    const lb = standIn(`aws_lb.${Object.keys(resources(synth(BASE), 'aws_lb'))[0]}`);
    expect(order.actions.get(lb)).toBe('create');
    expect(order.before.get(first)).toContain(lb);
  });
});

describeWithTerraform('rke-ha day 2: changes refused at plan time (guard preconditions evaluated by terraform)', () => {
  // One terraform run for every change below, in this order (SAFE and SAFE_WILDCARD share names).
  const SAFE_ALL = [...SAFE, ...SAFE_WILDCARD];
  let outcomes: string[][] = [];
  beforeAll(() => {
    outcomes = refusalsEach([...SAFE_ALL, ...REFUSED].map(([, before, after]) => [synth(before), synth(after)] as const));
  });

  it.each(SAFE_ALL.map(([name], i) => [name, i] as const))('%s: nothing refused', (_name, i) => {
    expect(outcomes[i]).toEqual([]);
  });

  it.each(REFUSED.map((change, i) => [...change, SAFE_ALL.length + i] as const))(
    '%s: refused, naming the setting and what to do',
    (_name, before, after, message, harm, i) => {
      const refused = outcomes[i];
      expect(refused).toHaveLength(1);
      expect(refused[0]).toContain(message);
      harm(synth(before), synth(after));
    },
  );

  it('going below quorum is possible with the explicit opt-in, after the members were removed one at a time', () => {
    const after = with_(BASE, { rkeHa: { nodeCount: 1, allowQuorumLoss: true } });
    expect(refusals(synth(BASE), synth(after))).toEqual([]);
    expect(servers(plannedChange(synth(BASE), synth(after)).destroyed)).toHaveLength(2);
  });

  it('a deliberate change is accepted once its record is replaced (the README procedure)', () => {
    const before = synth(NGINX);
    const after = synth(with_(BASE, { rkeHa: { ingressController: 'traefik' } }));
    const record = Object.keys(resources(after, 'terraform_data')).find((n) => n.includes('record-rkeHa-ingressController'))!;
    const replacedRecord = {
      ...before,
      resource: { ...before.resource, terraform_data: { ...resources(before, 'terraform_data'), [record]: { input: 'traefik' } } },
    };
    expect(refusals(replacedRecord, after)).toEqual([]);
  });
});

describeWithTerraform('rke-ha day 2 in an existing VPC: refused at plan time (guard evaluated by terraform on the sample network)', () => {
  // One terraform run for every change below, in this order.
  let outcomes: string[][] = [];
  beforeAll(() => {
    outcomes = refusalsEach([...EXISTING_SAFE, ...EXISTING_REFUSED].map(([, before, after]) => [synth(before), synth(after), NETWORK] as const));
  });

  it.each(EXISTING_SAFE.map(([name], i) => [name, i] as const))('%s: nothing refused', (_name, i) => {
    expect(outcomes[i]).toEqual([]);
  });

  it.each(EXISTING_REFUSED.map((change, i) => [...change, EXISTING_SAFE.length + i] as const))(
    '%s: refused, naming the setting and what to do',
    (name, before, after, message, harm, i) => {
      const refused = outcomes[i];
      expect(refused[0]).toContain(message);
      // Moving from a created network also moves every server away from its address: both rules speak.
      expect(refused.slice(1)).toEqual(
        name === 'a created network moved to an existing one'
          ? [expect.stringContaining('existingNetwork moves the running servers at ["10.0.0.10","10.0.16.10","10.0.32.10"]')]
          : [],
      );
      harm(synth(before), synth(after));
    },
  );
});
