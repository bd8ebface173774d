import { standbySettings } from '../../../cli/failover/failover-settings';
import {
  holdsPilotLight,
  PREPARED_FILE,
  pilotLightProblems,
  pilotLightTargets,
  standbyModuleProblems,
  targetClosure,
} from '../../../cli/failover/pilot-light';
import { RESTORE_VARIABLE } from '../../../cli/shared/failover-record';
import { K8S_HA_STACK, RKE_HA_STACK, synthSettings, type StackName } from '../../helpers/variants';

// The pilot light (cli/failover/pilot-light.ts; issue 91 items 1 and 6): what `failover --prepare` applies of the
// standby's module ahead of the outage, read from the module the failover applies (standbySettings, synthesized).

const PRODUCTION = { name: 'rancher', region: 'eu-west-1', hostname: 'rancher.example.com', hostedZone: 'example.com' };
const K8S = {
  k8sHa: { access: { kubeconfig: { path: '~/.kube/config', context: 'prod' } } },
  standby: { region: 'us-west-2', k8sHa: { access: { kubeconfig: { path: '~/.kube/standby' } } } },
};
const standbyModule = (stack: StackName, file = PREPARED_FILE, own: Record<string, unknown> = {}) =>
  synthSettings(
    stack,
    standbySettings(stack === K8S_HA_STACK ? { ...PRODUCTION, ...K8S } : { ...PRODUCTION, ...own, standby: { region: 'us-west-2' } }, {
      name: 'rancher-sb',
      region: 'us-west-2',
      file,
      bucket: 'rancher-rke-ha-backups-sb-1',
      productionName: 'rancher',
      stack,
      state: { bucket: 'rancher-rke-ha-state-sb-1' },
    }) as never,
  ).json as never;

describe.each([RKE_HA_STACK, K8S_HA_STACK] as const)("the pilot light of %s's standby", (stack) => {
  const json = standbyModule(stack) as any;
  const targets = pilotLightTargets(json);
  const closure = targetClosure(json, targets);
  const types = (addresses: Iterable<string>) => [...new Set([...addresses].map((a) => a.replace(/\.[^.]+$/, '')))].sort();

  it('targets every IAM, S3 bucket and Route 53 health check resource, what is made outside the standby region, and the NLB', () => {
    expect(types(targets).filter((t) => !/^aws_(iam_|s3_bucket|route53_health_check$)/.test(t))).toEqual(
      stack === RKE_HA_STACK
        ? ['aws_cloudwatch_metric_alarm', 'aws_kms_key', 'aws_lb', 'aws_sns_topic', 'aws_sns_topic_policy']
        : ['aws_cloudwatch_metric_alarm', 'aws_kms_key', 'aws_sns_topic', 'aws_sns_topic_policy'],
    );
    const all = Object.entries(json.resource).flatMap(([type, byName]) => Object.keys(byName as object).map((name) => `${type}.${name}`));
    expect(all.filter((a) => /^aws_(iam_|s3_bucket|route53_health_check\.)/.test(a) && !targets.includes(a))).toEqual([]);
  });

  it('brings no server, datastore, cluster object or readiness wait with it (-target applies what the targets depend on)', () => {
    expect(pilotLightProblems(json)).toEqual([]);
    expect([...closure].filter((a) => /^(aws_instance|aws_launch_template|aws_db_instance|helm_release|kubernetes_|data\.http)/.test(a))).toEqual([]);
  });

  it("reaches neither the restore file nor production's EncryptionConfiguration: the failover's choice changes none of it", () => {
    const text = JSON.stringify(
      [...closure].map(
        (a) => (a.startsWith('data.') ? json.data : json.resource)[a.replace(/^data\./, '').split('.')[0]][a.replace(/^data\./, '').split('.')[1]],
      ),
    );
    expect(text).not.toContain(PREPARED_FILE);
    expect(text).not.toContain(`var.${RESTORE_VARIABLE}`);
  });
});

describe("the pilot light of rke-ha's standby on K3s", () => {
  const json = standbyModule(RKE_HA_STACK, PREPARED_FILE, { rkeHa: { distribution: 'k3s' } }) as any;
  const targets = pilotLightTargets(json);
  const datastore = Object.keys(json.resource.aws_db_instance).map((name) => `aws_db_instance.${name}`);
  const without = targetClosure(
    json,
    targets.filter((t) => !datastore.includes(t)),
  );

  it("makes K3s' datastore ahead: the module's RDS instance is a target, the one running resource allowed", () => {
    expect(datastore).toHaveLength(1);
    expect(targets).toEqual(expect.arrayContaining(datastore));
    expect(pilotLightProblems(json)).toEqual([]);
  });

  it('brings with it its subnets, subnet group, security group, password and snapshot suffix: no server, rule from them or chart', () => {
    const brought = [...targetClosure(json, targets)].filter((a) => !without.has(a));
    expect([...new Set(brought.map((a) => a.replace(/\.[^.]+$/, '')))].sort()).toEqual([
      'aws_db_instance',
      'aws_db_subnet_group',
      'aws_security_group',
      'aws_subnet',
      'random_id',
      'random_password',
    ]);
    // The servers' way into it (their security group's rule) comes with the servers, at the failover.
    const rules = Object.keys(json.resource).filter((type) => /security_group_(ingress_)?rule$/.test(type));
    const intoDatastore = rules.flatMap((type) =>
      Object.entries(json.resource[type])
        .filter(([, body]) => JSON.stringify(body).includes('datastore_security-group'))
        .map(([name]) => `${type}.${name}`),
    );
    expect(intoDatastore).not.toEqual([]);
    expect(
      brought.filter((a) => intoDatastore.includes(a) || /^(aws_instance|aws_launch_template|helm_release|kubernetes_|data\.http)/.test(a)),
    ).toEqual([]);
  });

  it('counts a standby prepared before the datastore was made ahead as prepared: -refresh=false creates the datastore', () => {
    const held = new Set([...without].filter((a) => !a.startsWith('data.')));
    expect(holdsPilotLight(json, held)).toBe(true);
    expect(holdsPilotLight(json, new Set([...held].filter((a) => !a.startsWith('aws_lb.'))))).toBe(false);
  });
});

describe("the standby's module, checked before it is applied beside production", () => {
  const module = (backend: Record<string, unknown>, resource: Record<string, unknown> = {}) => ({ terraform: { backend }, resource }) as never;
  const state = { bucket: 'rancher-rke-ha-state-sb-1' };

  it("takes the standby region's state bucket, and nothing else, as its S3 backend; a local file only in the failover's folder", () => {
    const s3 = { bucket: state.bucket, key: 'rancher/rke-ha.tfstate', region: 'us-west-2', encrypt: true, use_lockfile: true };
    expect(standbyModuleProblems(module({ s3 }), '/f/cdktf.out/stacks/rke-ha', '/f', state, 'us-west-2')).toEqual([]);
    expect(standbyModuleProblems(module({ s3: { ...s3, region: 'eu-west-1' } }), '/f/m', '/f', state, 'us-west-2')).toEqual([
      'its state backend is not the bucket rancher-rke-ha-state-sb-1 in us-west-2',
    ]);
    expect(standbyModuleProblems(module({ s3: { ...s3, bucket: 'other' } }), '/f/m', '/f', state, 'us-west-2')).toHaveLength(1);
    expect(standbyModuleProblems(module({ s3 }, { aws_route53_record: {} }), '/f/m', '/f', state, 'us-west-2')).toEqual(['it has a Route53 record']);
    expect(standbyModuleProblems(module({ s3 }), '/f/m', '/f', 'local', 'us-west-2')).toEqual(['its state backend is not a local file']);
  });

  it.each([
    ['aws_instance', 'server'],
    ['aws_launch_template', 'server'],
    ['aws_autoscaling_group', 'servers'],
    ['helm_release', 'rancher'],
    ['kubernetes_manifest', 'restore'],
    ['rancher2_setting', 'x'],
    ['data.http', 'ping'],
  ])("takes K3s' datastore as the one running target: what it would bring of %s is refused", (type, name) => {
    const address = `${type}.${name}`;
    const [blockType, blocks] = type.startsWith('data.') ? ['data', { [type.slice(5)]: { [name]: {} } }] : ['resource', { [type]: { [name]: {} } }];
    const json = (dependsOn: string[]) =>
      ({
        provider: { aws: [{ region: 'us-west-2' }] },
        resource: { aws_db_instance: { db: { depends_on: dependsOn } }, ...(blockType === 'resource' ? blocks : {}) },
        ...(blockType === 'data' ? { data: blocks } : {}),
      }) as never;
    expect(pilotLightTargets(json([]))).toEqual(['aws_db_instance.db']);
    expect(pilotLightProblems(json([]))).toEqual([]);
    expect(pilotLightProblems(json([address]))).toEqual([`its targets bring ${address}`]);
  });

  it('counts as prepared only with every target of its pilot light in the state', () => {
    const json = {
      provider: { aws: [{ region: 'us-west-2' }] },
      resource: { aws_iam_role: { r: {} }, aws_lb: { lb: {} }, aws_instance: { s: {} } },
    } as never;
    expect(pilotLightTargets(json)).toEqual(['aws_iam_role.r', 'aws_lb.lb']);
    expect(holdsPilotLight(json, new Set(['aws_iam_role.r', 'aws_lb.lb']))).toBe(true);
    expect(holdsPilotLight(json, new Set(['aws_iam_role.r']))).toBe(false);
  });
});
