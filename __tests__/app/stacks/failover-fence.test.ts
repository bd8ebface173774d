import { DataAwsSsmParametersByPath } from '@cdktn/provider-aws/lib/data-aws-ssm-parameters-by-path';
import { TerraformStack } from 'cdktf';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { configureBaseProviders, regionProvider } from '../../../lib/common/providers';
import { FailoverFence } from '../../../lib/standby/failover-fence';
import { FAILOVER_FENCE_PARAMETER, FAILOVER_FENCE_REGION_PARAMETER } from '../../../lib/standby/standby-facts-keys';
import { dataSources, resources, unsynthesizedApp, type TerraformJson } from '../../helpers/synth';
import { K8S_HA_STACK, RKE_HA_STACK, RKE_HA_TLS_VARIANTS, synthSettings, type StackName } from '../../helpers/variants';

// Production honours the failover's fence at plan time (lib/standby/failover-fence.ts; issue 91 item 3): with a standby,
// the deployment's SSM path is listed in the standby region and every record of the hostname carries a precondition
// on it; without one, neither. The same inputs as standby-facts.test.ts (one synthesis each, shared).

const K8S_STANDBY = { region: 'us-west-2', k8sHa: { access: { kubeconfig: { path: '~/.kube/standby' } } } };
const standbyOf = (stack: StackName) => (stack === K8S_HA_STACK ? K8S_STANDBY : { region: 'us-west-2' });
const synth = (stack: StackName, input: SettingsInput): TerraformJson => synthSettings(stack, { ...input, standby: standbyOf(stack) }).json;
const hostnameRecords = (json: TerraformJson) => Object.entries(resources(json, 'aws_route53_record')).filter(([name]) => name.startsWith('dns_'));
/**
 * The listings of the standby region (production's own region lists other paths: rke-ha's API certificate report).
 * With failover routing the fence reads StandbyDns's listing of the path (lib/standby/standby-dns.ts); without it
 * (DNS round robin) its own.
 */
const standbyListings = (json: TerraformJson) =>
  Object.entries(dataSources(json, 'aws_ssm_parameters_by_path')).filter(([, listing]) => listing.provider === 'aws.us_west_2');
const fencePreconditions = (record: any) =>
  (record.lifecycle?.precondition ?? []).filter((p: any) => String(p.condition).includes('aws_ssm_parameters_by_path'));

describe.each<[string, StackName, SettingsInput, number, string]>([
  ['rke-ha, TLS ingress (Rancher CA)', RKE_HA_STACK, { rancher: { tls: RKE_HA_TLS_VARIANTS['ingress+rancher'] } }, 1, 'standby_dns_parameters_'],
  ['rke-ha, dual-stack (A and AAAA)', RKE_HA_STACK, { rkeHa: { dualStack: true } }, 2, 'standby_dns_parameters_'],
  ['rke-ha, DNS round robin', RKE_HA_STACK, { rkeHa: { loadBalancer: { type: 'dns' } } }, 3, 'failover-fence_listing_'],
  ['k8s-ha, TLS ingress (Rancher CA)', K8S_HA_STACK, {}, 3, 'standby_dns_parameters_'],
])('the failover fence of %s', (_name, stack, input, records, whose) => {
  const json = synth(stack, input);
  const listings = standbyListings(json);

  it("lists the deployment's path in the standby region once (the failover routing's listing where there is one), names only, nothing decrypted", () => {
    expect(listings.map(([name]) => name)).toEqual([expect.stringMatching(new RegExp(`^${whose}[0-9A-F]{8}$`))]);
    const [, listing] = listings[0];
    expect({ ...listing, '//': undefined }).toEqual({
      '//': undefined,
      provider: 'aws.us_west_2',
      path: `/rancher/${stack}`,
      recursive: false,
      with_decryption: false,
    });
  });

  it("puts a precondition on every record of the hostname: the fence's name absent from that listing", () => {
    const [listingName] = listings[0];
    const found = hostnameRecords(json);
    expect(found).toHaveLength(records);
    for (const [, record] of found) {
      expect(fencePreconditions(record)).toEqual([
        {
          condition: `\${!contains(data.aws_ssm_parameters_by_path.${listingName}.names, "/rancher/${stack}${FAILOVER_FENCE_PARAMETER}")}`,
          error_message: expect.stringContaining(`fail back with npm run failback -- ${stack}, which removes it (docs/failover.md)`),
        },
      ]);
      // The record's own preconditions stay (k8s-ha's CNAME refuses a zone apex).
      expect(record.provider).toBeUndefined();
    }
  });
});

describe("rke-ha's servers read the fence (failover-fence.sh)", () => {
  const statementsOf = (json: TerraformJson) =>
    Object.entries(dataSources(json, 'aws_iam_policy_document'))
      .filter(([name]) => name.startsWith('node-role_policy_'))
      .flatMap(([, document]) => document.statement as { sid: string; actions: string[]; resources: string[] }[]);

  it('with a standby: the instance role may GetParameter that one parameter, in the standby region only', () => {
    const fence = statementsOf(synth(RKE_HA_STACK, { rancher: { tls: RKE_HA_TLS_VARIANTS['ingress+rancher'] } })).filter(
      (s) => s.sid === 'FailoverFence',
    );
    expect(fence).toEqual([
      {
        sid: 'FailoverFence',
        actions: ['ssm:GetParameter'],
        resources: [
          expect.stringMatching(
            /^arn:\$\{data\.aws_partition\.[^}]+\}:ssm:us-west-2:\$\{data\.aws_caller_identity\.[^}]+\}:parameter\/rancher\/rke-ha\/failover-fence$/,
          ),
        ],
      },
    ]);
  });

  it("with a standby: the standby region named for the servers' guard in production's region, below their path", () => {
    const parameters = Object.entries(
      resources(synth(RKE_HA_STACK, { rancher: { tls: RKE_HA_TLS_VARIANTS['ingress+rancher'] } }), 'aws_ssm_parameter'),
    );
    const named = parameters.filter(([name]) => name.startsWith('failover-fence_servers-region_'));
    expect(named.map(([, p]) => ({ ...p, '//': undefined, description: undefined }))).toEqual([
      { '//': undefined, description: undefined, name: `/rancher/rke-ha${FAILOVER_FENCE_REGION_PARAMETER}`, type: 'String', value: 'us-west-2' },
    ]);
  });

  it('without one: no such grant, no region named', () => {
    const json = synthSettings(RKE_HA_STACK, { rancher: { tls: RKE_HA_TLS_VARIANTS['ingress+rancher'] } }).json;
    expect(statementsOf(json).filter((s) => s.sid === 'FailoverFence')).toEqual([]);
    expect(Object.keys(resources(json, 'aws_ssm_parameter')).filter((name) => name.startsWith('failover-fence_'))).toEqual([]);
  });

  it('k8s-ha: no servers of its own, no region named for them', () => {
    expect(Object.keys(resources(synth(K8S_HA_STACK, {}), 'aws_ssm_parameter')).filter((name) => name.startsWith('failover-fence_'))).toEqual([]);
  });
});

describe('the failover fence without a standby', () => {
  it.each<[StackName, SettingsInput]>([
    [RKE_HA_STACK, { rancher: { tls: RKE_HA_TLS_VARIANTS['ingress+rancher'] } }],
    [K8S_HA_STACK, {}],
  ])('%s: no listing, no precondition on the records', (stack, input) => {
    const json = synthSettings(stack, input).json;
    expect(standbyListings(json)).toEqual([]);
    for (const [, record] of hostnameRecords(json)) expect(fencePreconditions(record)).toEqual([]);
  });

  it("k8s-ha without the hostname's record (a failover's standby): nothing to fence", () => {
    const json = synth(K8S_HA_STACK, { k8sHa: { dns: { hostnameRecord: false } }, rancher: { bootstrap: { enabled: false } } });
    expect(standbyListings(json)).toEqual([]);
  });
});

describe("the fence's props: a listing given is read instead of its own", () => {
  const stack = new TerraformStack(unsynthesizedApp(), 'rke-ha');
  configureBaseProviders(stack, { region: 'eu-west-1' });
  const provider = regionProvider(stack, 'us-west-2');
  const props = { provider, standbyRegion: 'us-west-2', parameterPath: '/rancher/rke-ha', stack: 'rke-ha', records: [] };
  const listing = (id: string, path: string, recursive = false) =>
    new DataAwsSsmParametersByPath(stack, id, { provider, path, recursive, withDecryption: false });

  it('reads the one given, lists nothing of its own', () => {
    const given = listing('given', '/rancher/rke-ha');
    const fence = new FailoverFence(stack, 'fence', { ...props, listing: given });
    expect(fence.listing).toBe(given);
    expect(fence.node.children.filter((c) => c instanceof DataAwsSsmParametersByPath)).toEqual([]);
    expect(fence.precondition.condition).toContain(`${given.fqn}.names`);
  });

  it('refuses a listing of another path, a recursive one, or one of another region', () => {
    const other = regionProvider(stack, 'eu-central-1');
    for (const [id, given] of [
      ['path', listing('other-path', '/rancher/k8s-ha')],
      ['recursive', listing('recursive', '/rancher/rke-ha', true)],
      ['region', new DataAwsSsmParametersByPath(stack, 'other-region', { provider: other, path: '/rancher/rke-ha', withDecryption: false })],
    ] as const)
      expect(() => new FailoverFence(stack, `fence-${id}`, { ...props, listing: given })).toThrow(
        /FailoverFence rke-ha\/fence-[a-z]+: the listing given \(rke-ha\/[a-z-]+\) must list \/rancher\/rke-ha through the standby region's provider, not recursively/,
      );
  });
});
