import { DataAwsSsmParametersByPath } from '@cdktn/provider-aws/lib/data-aws-ssm-parameters-by-path';
import { TerraformStack } from 'cdktf';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { configureBaseProviders, regionProvider } from '../../../lib/common/providers';
import { FailoverFence } from '../../../lib/standby/failover-fence';
import { FAILOVER_FENCE_PARAMETER, FAILOVER_FENCE_REGION_PARAMETER } from '../../../lib/standby/standby-facts-keys';
import { FENCE_GUARD_SCRIPT } from '../../../lib/standby/fence-guard';
import { PINS } from '../../../lib/config/pins';
import { imageRef } from '../../../lib/kubernetes/image-ref';
import { SHELL_IMAGE } from '../../../lib/kubernetes/readiness-gates';
import { restrictedViolations } from '../../helpers/pod-security';
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

// k8s-ha's guard in production's cluster (lib/standby/fence-guard.ts): with a standby, a CronJob that keeps Rancher at
// 0 replicas while the fence stands, with an identity of its own that may read the fence and nothing else.
describe("k8s-ha's fence guard (fence-guard.ts)", () => {
  const guardOf = (json: TerraformJson, type: string) =>
    Object.entries(resources(json, type))
      .filter(([name]) => name.startsWith('failover-fence-guard_'))
      .map(([, r]) => r);
  /** The synthesized pod spec (the provider's snake_case blocks) as a manifest's (camelCase, plural lists). */
  const podSpec = (spec: any): any => {
    const lists: Record<string, string> = { init_container: 'initContainers', container: 'containers', volume: 'volumes' };
    const camel = (key: string) => lists[key] ?? key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (Array.isArray(spec)) return spec.map(podSpec);
    if (spec && typeof spec === 'object') return Object.fromEntries(Object.entries(spec).map(([k, v]) => [camel(k), podSpec(v)]));
    return spec;
  };
  const podOf = (json: TerraformJson) => guardOf(json, 'kubernetes_cron_job_v1')[0].spec.job_template.spec.template.spec;
  const ARN =
    /^arn:\$\{data\.aws_partition\.[^}]+\}:ssm:us-west-2:\$\{data\.aws_caller_identity\.[^}]+\}:parameter\/rancher\/k8s-ha\/failover-fence$/;
  const grantOf = (json: TerraformJson, policy: string) =>
    dataSources(json, 'aws_iam_policy_document')[/^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy)![1]].statement;

  it('with a standby: every minute, one run at a time, a small history, the fence read in the standby region', () => {
    const [cron] = guardOf(synth(K8S_HA_STACK, {}), 'kubernetes_cron_job_v1');
    expect(cron.spec).toMatchObject({
      schedule: '* * * * *',
      concurrency_policy: 'Forbid',
      starting_deadline_seconds: 50,
      successful_jobs_history_limit: 1,
      failed_jobs_history_limit: 1,
      job_template: { spec: { backoff_limit: 0, active_deadline_seconds: 110 } },
    });
    const pod = podOf(synth(K8S_HA_STACK, {}));
    expect(pod.init_container.map((c: any) => [c.name, c.image])).toEqual([['read', `amazon/aws-cli:${PINS.awsCli.version}`]]);
    expect(pod.container.map((c: any) => [c.name, c.image])).toEqual([['guard', imageRef(SHELL_IMAGE)]]);
    for (const c of [...pod.init_container, ...pod.container]) {
      expect(c.env.slice(0, 4)).toEqual([
        { name: 'HOME', value: '/tmp' },
        { name: 'FENCE_PARAMETER', value: `/rancher/k8s-ha${FAILOVER_FENCE_PARAMETER}` },
        { name: 'FENCE_REGION', value: 'us-west-2' },
        { name: 'FENCE_STATE', value: '/fence/state' },
      ]);
      expect(c.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } });
      expect(c.security_context).toEqual({ allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ['ALL'] } });
    }
    expect(pod.security_context).toEqual({ run_as_non_root: true, run_as_user: '1000', seccomp_profile: { type: 'RuntimeDefault' } });
    // Admitted where Pod Security's restricted level is enforced (its namespace says so).
    expect(restrictedViolations(podSpec(pod))).toEqual([]);
    // The scripts as written, escaped for Terraform once (`$${` arrives as `${`).
    expect(pod.container[0].command).toEqual(['bash', '-c', FENCE_GUARD_SCRIPT.replace(/\$\{/g, () => '$${')]);
  });

  it('with a standby: may get and patch cattle-system/rancher and its scale, nothing else', () => {
    const json = synth(K8S_HA_STACK, {});
    const [role] = guardOf(json, 'kubernetes_role_v1');
    expect(role.metadata.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.rancher-namespace_[0-9A-F]{8}\.metadata\[0\]\.name\}$/);
    expect(role.rule).toEqual([
      { api_groups: ['apps'], resources: ['deployments', 'deployments/scale'], resource_names: ['rancher'], verbs: ['get', 'patch'] },
    ]);
    const [binding] = guardOf(json, 'kubernetes_role_binding_v1');
    expect(binding.subject).toEqual([
      {
        kind: 'ServiceAccount',
        name: expect.stringContaining('failover-fence-guard_service-account_'),
        namespace: expect.stringContaining('failover-fence-guard_namespace_'),
      },
    ]);
  });

  it('with a standby and an access key (backups.credentials servers, accessKey): an IAM user of its own that may GetParameter the fence alone', () => {
    const json = synth(K8S_HA_STACK, {});
    const [user] = guardOf(json, 'aws_iam_user');
    expect(user).toMatchObject({ name: 'rancher-k8s-ha-failover-fence', path: '/rancher-ha-aws/' });
    const [policy] = guardOf(json, 'aws_iam_user_policy');
    expect(grantOf(json, policy.policy)).toEqual([{ sid: 'FailoverFence', actions: ['ssm:GetParameter'], resources: [expect.stringMatching(ARN)] }]);
    // Its key reaches the reader alone, from a Secret of the guard's namespace.
    const [secret] = guardOf(json, 'kubernetes_secret_v1');
    expect(Object.keys(secret.data)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    const pod = podOf(json);
    expect(pod.init_container[0].env.slice(4).map((e: any) => e.name)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    expect(pod.container[0].env).toHaveLength(4);
  });

  // irsa with a registry of the air gap (both images from there), pod-identity behind a proxy (the reader's way to SSM).
  describe.each([
    ['irsa', 'sts:AssumeRoleWithWebIdentity', { airGap: { systemDefaultRegistry: 'registry.internal:5000' } }],
    ['pod-identity', 'sts:AssumeRole', { proxy: { http: 'http://proxy.internal:3128' } }],
  ] as const)('with a standby and backups.credentials %s', (mechanism, assume, extra) => {
    const json = synthSettings(K8S_HA_STACK, {
      ...extra,
      backups: { credentials: mechanism },
      k8sHa: { eks: { clusterName: 'prod-eks' } },
      standby: { ...K8S_STANDBY, k8sHa: { ...K8S_STANDBY.k8sHa, eks: { clusterName: 'standby-eks' } } },
    }).json;

    it("a role of its own, trusted for the guard's service account alone, that may GetParameter the fence alone; no user, no key", () => {
      expect(guardOf(json, 'aws_iam_user')).toEqual([]);
      expect(guardOf(json, 'kubernetes_secret_v1')).toEqual([]);
      const [role] = guardOf(json, 'aws_iam_role');
      expect(role.name).toBe('rancher-k8s-ha-failover-fence');
      const [trust] = grantOf(json, role.assume_role_policy);
      expect(trust.actions[0]).toBe(assume);
      const subject = 'system:serviceaccount:rancher-aws-failover-fence:rancher-aws-failover-fence';
      const conditions = trust.condition.map((c: any) => c.values[0]);
      if (mechanism === 'irsa') expect(conditions).toContain(subject);
      else
        expect(conditions).toEqual([
          expect.stringContaining('failover-fence-guard_cluster_'),
          'rancher-aws-failover-fence',
          'rancher-aws-failover-fence',
        ]);
      const [policy] = guardOf(json, 'aws_iam_role_policy');
      expect(grantOf(json, policy.policy)).toEqual([
        { sid: 'FailoverFence', actions: ['ssm:GetParameter'], resources: [expect.stringMatching(ARN)] },
      ]);
      const [account] = guardOf(json, 'kubernetes_service_account_v1');
      const associations = guardOf(json, 'aws_eks_pod_identity_association');
      if (mechanism === 'irsa') {
        expect(account.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': expect.stringContaining('failover-fence-guard_role_') });
        expect(associations).toEqual([]);
      } else {
        expect(account.metadata.annotations).toEqual({});
        expect(associations).toEqual([
          expect.objectContaining({
            namespace: 'rancher-aws-failover-fence',
            service_account: 'rancher-aws-failover-fence',
            cluster_name: expect.any(String),
          }),
        ]);
      }
    });

    it(
      mechanism === 'irsa'
        ? 'both images from the registry of the air gap'
        : "the reader reaches SSM through the proxy; kubectl's calls stay in the cluster",
      () => {
        const pod = podOf(json);
        const images = [...pod.init_container, ...pod.container].map((c: any) => c.image);
        const extras = (c: any) => c.env.slice(4);
        if (mechanism === 'irsa') {
          expect(images).toEqual([`registry.internal:5000/amazon/aws-cli:${PINS.awsCli.version}`, `registry.internal:5000/${imageRef(SHELL_IMAGE)}`]);
          expect(extras(pod.init_container[0])).toEqual([]);
        } else {
          expect(extras(pod.init_container[0])).toEqual([
            { name: 'HTTPS_PROXY', value: 'http://proxy.internal:3128' },
            { name: 'NO_PROXY', value: expect.stringContaining('10.0.0.0/8') },
          ]);
          expect(extras(pod.container[0])).toEqual([]);
        }
      },
    );
  });

  it('without a standby: nothing of it', () => {
    const json = synthSettings(K8S_HA_STACK, {}).json;
    expect(Object.values(json.resource).flatMap((byName) => Object.keys(byName).filter((name) => name.startsWith('failover-fence-guard_')))).toEqual(
      [],
    );
    expect(resources(json, 'kubernetes_cron_job_v1')).toEqual({});
  });
});
