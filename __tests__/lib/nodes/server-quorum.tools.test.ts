import { dataSources } from '../../helpers/synth';
import { describeWithTerraform, evaluate, expressionOf } from '../../helpers/terraform';
import { synthQuorum } from './server-quorum.setup';

describe('ServerQuorum', () => {
  const { json } = synthQuorum();
  const [name] = Object.entries(dataSources(json, 'aws_instances'))[0];

  describeWithTerraform('evaluated by terraform', () => {
    const holds = (existing: number) =>
      evaluate(
        expressionOf(json.output!.condition.value).replace(
          `data.aws_instances.${name}.ids`,
          JSON.stringify(Array.from({ length: existing }, (_, i) => `i-${i}`)),
        ),
      );

    it('passes a first deploy and a growth (fewer servers exist than asked for) and an unchanged count', () => {
      expect(holds(0)).toBe(true);
      expect(holds(1)).toBe(true);
    });

    it('refuses a plan that would destroy two of three etcd members', () => {
      expect(holds(3)).toBe(false);
    });
  });
});
