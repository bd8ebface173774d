import { DOCKER_STACK, DockerStack } from '../../../app/stacks/docker';
import { K8S_HA_STACK, K8sHaStack } from '../../../app/stacks/k8s-ha';
import { RKE_HA_STACK, RkeHaStack } from '../../../app/stacks/rke-ha';
import { generatedNames, STACK_IDS } from '../../../lib/config/resource-names';
import { settings, synthStack, type TerraformJson } from '../../helpers/synth';

/** The longest name the settings accept. */
const LONGEST = 'a234567890123456';

/** The name-bearing attributes of a synthesized stack, as `<type>.<attribute>` → values (tokens shown as the table shows them). */
function builtNames(json: TerraformJson): string[] {
  const attributes: Record<string, string[]> = {
    aws_lb: ['name'],
    aws_lb_target_group: ['name'],
    aws_security_group: ['name_prefix'],
    aws_iam_role: ['name_prefix', 'name'],
    aws_iam_user: ['name'],
    aws_iam_instance_profile: ['name_prefix'],
    aws_db_instance: ['identifier_prefix', 'final_snapshot_identifier'],
    aws_db_subnet_group: ['name_prefix'],
    aws_s3_bucket: ['bucket_prefix'],
    aws_dlm_lifecycle_policy: ['description'],
    aws_cloudwatch_log_group: ['name'],
    aws_sns_topic: ['name'],
  };
  const names: string[] = [];
  for (const [type, keys] of Object.entries(attributes)) {
    for (const resource of Object.values(json.resource[type] ?? {})) {
      for (const key of keys) if (typeof resource[key] === 'string') names.push(resource[key].replace(/\$\{[^}]+\}/g, '0123abcd'));
    }
  }
  for (const cert of Object.values(json.resource.tls_self_signed_cert ?? {})) names.push(cert.subject[0].common_name);
  return names;
}

describe('resource names built from settings.name', () => {
  it('uses the stack ids of main.ts', () => {
    expect(STACK_IDS).toEqual([RKE_HA_STACK, K8S_HA_STACK, DOCKER_STACK]);
  });

  describe('the table holds what the constructs really build (synthesized with the longest name)', () => {
    const all = (input: Record<string, unknown>) => settings({ name: LONGEST, ...input });
    // Every option that builds a name of its own (the two flow log destinations build different ones, so a stack
    // is synthesized with each); the defaults build a subset of these names. Options that build names apart from
    // each other share a synth (the ALB's with the CloudWatch flow logs').
    const logs = (destination: string) => ({
      vpc: { flowLogs: { destination }, endpoints: ['ssm'] },
      rkeHa: { etcdSnapshots: { accessLogging: true, eventNotifications: true } },
    });
    const alb = { tls: { mode: 'external', issuer: 'acme' } };
    const synthesized = [
      ...builtNames(synthStack((app) => new RkeHaStack(app, RKE_HA_STACK, all({ ...logs('cloudwatch'), rancher: alb }))).json),
      ...builtNames(synthStack((app) => new RkeHaStack(app, RKE_HA_STACK, all(logs('s3')))).json),
      ...builtNames(synthStack((app) => new DockerStack(app, DOCKER_STACK, all({ ...logs('cloudwatch'), docker: alb }))).json),
      ...builtNames(synthStack((app) => new DockerStack(app, DOCKER_STACK, all(logs('s3')))).json),
      ...builtNames(
        synthStack((app) => new RkeHaStack(app, RKE_HA_STACK, all({ rkeHa: { distribution: 'k3s', datastore: { monitoringInterval: 60 } } }))).json,
      ),
      ...builtNames(synthStack((app) => new K8sHaStack(app, K8S_HA_STACK, all({}))).json),
    ];
    const table = generatedNames(LONGEST)
      .filter((n) => n.kind !== 'ssmPath')
      .map((n) => n.value);

    it('every name built is in the table', () => {
      expect([...new Set(synthesized)].filter((name) => !table.includes(name))).toEqual([]);
    });

    it('every name in the table is built', () => {
      expect(table.filter((name) => !synthesized.includes(name))).toEqual([]);
    });
  });
});
