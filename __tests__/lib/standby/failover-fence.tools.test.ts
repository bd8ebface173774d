import { FAILOVER_FENCE_PARAMETER, STANDBY_FACTS_PARAMETER } from '../../../lib/standby/standby-facts-keys';
import { dataSources, resources } from '../../helpers/synth';
import { evaluateEach, expressionOf } from '../../helpers/terraform';
import { RKE_HA_STACK, RKE_HA_TLS_VARIANTS, synthSettings } from '../../helpers/variants';

// The fence's precondition on production's records (lib/standby/failover-fence.ts) as Terraform evaluates it, the
// listing of the standby region's parameters given as aws_ssm_parameters_by_path answers it (`names`: the full names
// of the parameters directly below the path; an empty list where there are none, never an error). The built-in module
// of the second plan leaves provider resources' preconditions out (builtin-module.ts), so the condition is evaluated
// here, once for each listing, in one terraform console run.

describe("the fence's precondition, evaluated by terraform", () => {
  const json = synthSettings(RKE_HA_STACK, { rancher: { tls: RKE_HA_TLS_VARIANTS['ingress+rancher'] }, standby: { region: 'us-west-2' } }).json;
  // The failover routing's listing of the path, which the fence reads (lib/standby/standby-dns.ts).
  const [listing] = Object.keys(dataSources(json, 'aws_ssm_parameters_by_path')).filter((name) => name.startsWith('standby_dns_parameters_'));
  const [, record] = Object.entries(resources(json, 'aws_route53_record')).find(([name]) => name.startsWith('dns_record_'))!;
  const { condition } = (record.lifecycle.precondition as { condition: string }[]).find((p) => p.condition.includes(listing))!;
  const when = (names: string[]) =>
    expressionOf(condition).replaceAll(`data.aws_ssm_parameters_by_path.${listing}.names`, `(${JSON.stringify(names)})`);

  it('holds with no parameter there or only the facts pointer; fails once the failover wrote its fence, whatever else is there', () => {
    const path = '/rancher/rke-ha';
    expect(
      evaluateEach([
        when([]),
        when([`${path}${STANDBY_FACTS_PARAMETER}`]),
        when([`${path}${STANDBY_FACTS_PARAMETER}`, `${path}${FAILOVER_FENCE_PARAMETER}`]),
        // Another deployment's fence (another name or stack) is not this one's.
        when([`/rancher-2/rke-ha${FAILOVER_FENCE_PARAMETER}`, `/rancher/k8s-ha${FAILOVER_FENCE_PARAMETER}`]),
      ]),
    ).toEqual([true, true, false, true]);
  });
});
