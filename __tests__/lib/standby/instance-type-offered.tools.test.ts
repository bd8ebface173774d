import { regionProvider } from '../../../lib/common/providers';
import { instanceTypeOffered } from '../../../lib/standby/instance-type-offered';
import { dataSources, synthConstruct, type TerraformJson } from '../../helpers/synth';
import { describeWithTerraform, evaluateJsonValues } from '../../helpers/terraform';
import { RKE_HA_STACK, synthSettings } from '../../helpers/variants';

// The standby's check that its region offers the servers' instance type, as terraform evaluates it: the postcondition
// of a real synth, with `self` given as the facts a plan reads. aws_ec2_instance_type_offerings (hashicorp/terraform-
// provider-aws internal/service/ec2/ec2_instance_type_offerings_data_source.go, its aws-sdk-go v1 and v2 forms alike)
// sets `instance_types` to the types of the offerings EC2 lists for the filter, an empty list when it lists none (no
// error): the region lacks the type.

type Facts = { readonly instance_types: readonly string[] };

/** The postcondition of the one offerings read whose name starts with `prefix`. */
function postcondition(json: TerraformJson, prefix: string): { condition: string; error_message: string } {
  const found = Object.entries(dataSources(json, 'aws_ec2_instance_type_offerings')).filter(([name]) => name.startsWith(prefix));
  if (found.length !== 1) throw new Error(`${found.length} aws_ec2_instance_type_offerings named ${prefix}*`);
  const checks = found[0][1].lifecycle.postcondition;
  if (checks.length !== 1) throw new Error(`${checks.length} postconditions`);
  return checks[0];
}

/** Each case's condition value, and its message where it fails (one terraform console run each; both are templates in JSON syntax, as in the module). */
function outcomes(check: { condition: string; error_message: string }, cases: readonly Facts[], variables: Record<string, string> = {}) {
  const withFacts = (text: string, facts: Facts) => text.replace(/\bself\b/g, `(${JSON.stringify(facts)})`);
  const held = evaluateJsonValues(Object.fromEntries(cases.map((facts, i) => [String(i), withFacts(check.condition, facts)])), variables);
  const messages = evaluateJsonValues(
    Object.fromEntries(cases.flatMap((facts, i) => (held[String(i)] === true ? [] : [[String(i), withFacts(check.error_message, facts)]]))),
    variables,
  );
  return cases.map((_, i) => ({ held: held[String(i)], message: messages[String(i)] }));
}

const MESSAGE = (type: string) =>
  `standby.region us-west-2 does not offer the EC2 instance type ${type} (instanceType), which a failover launches there: ` +
  `choose another standby.region that offers it (aws ec2 describe-instance-type-offerings --region us-west-2 --filters ` +
  `Name=instance-type,Values=${type}) or another instanceType.`;

describeWithTerraform("the standby region's offerings of the servers' instance type, evaluated by terraform", () => {
  describe.each([
    ['RKE2', {}],
    ['K3s', { rkeHa: { distribution: 'k3s' as const } }],
  ])('rke-ha (%s)', (_name, input) => {
    // The stack's `instance_type` variable, as a pipeline gives it (`-var instance_type=...`).
    const variables = { instance_type: 'c7i.2xlarge' };
    let results: { held: unknown; message: unknown }[] = [];
    beforeAll(() => {
      const json = synthSettings(RKE_HA_STACK, { ...input, standby: { region: 'us-west-2' } }).json;
      results = outcomes(
        postcondition(json, 'standby_servers-instance-type_'),
        [{ instance_types: [] }, { instance_types: ['c7i.2xlarge'] }, { instance_types: ['m6i.xlarge'] }],
        variables,
      );
    });

    it('refuses the plan when the region offers none, naming standby.region, the region, the type, its setting and the fix', () => {
      expect(results[0]).toEqual({ held: false, message: MESSAGE('c7i.2xlarge') });
    });

    it('lets the plan on when the region offers the type', () => {
      expect(results[1]).toEqual({ held: true, message: undefined });
    });

    it('tests the type the servers get, not that the list is non-empty: another type offered is a refusal', () => {
      expect(results[2]).toEqual({ held: false, message: MESSAGE('c7i.2xlarge') });
    });
  });

  it('takes a literal type (a library user passing a string) as an HCL string, quotes included', () => {
    const json = synthConstruct((stack) => {
      instanceTypeOffered(stack, 'offered', {
        provider: regionProvider(stack, 'eu-west-1'),
        region: 'eu-west-1',
        regionSetting: 'standby.region',
        instanceType: 'm7g.xlarge',
        setting: 'instanceType',
      });
    }).json;
    const check = postcondition(json, 'offered');
    expect(check.condition).toBe('${contains(self.instance_types, "m7g.xlarge")}');
    expect(outcomes(check, [{ instance_types: ['m7g.xlarge'] }, { instance_types: ['m7g.large'] }]).map((r) => r.held)).toEqual([true, false]);
  });
});
