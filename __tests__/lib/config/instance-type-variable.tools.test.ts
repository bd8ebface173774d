import { resources } from '../../helpers/synth';
import { evaluate } from '../../helpers/terraform';
import { synthSettings } from '../../helpers/variants';

describe('instance_type (issue 22: a pipeline knob)', () => {
  it.each(['rke-ha', 'docker'] as const)(
    '%s: defaults to the settings value, drives the instances, and refuses a malformed type at plan',
    (stack) => {
      const type = stack === 'rke-ha' ? 'm6i.2xlarge' : 'c7i.large';
      const { json } = synthSettings(stack, stack === 'rke-ha' ? { rkeHa: { instanceType: type } } : { docker: { instanceType: type } });
      const variable = json.variable!.instance_type;
      expect(variable).toEqual(expect.objectContaining({ type: 'string', default: type, nullable: false }));
      expect(new Set(Object.values(resources(json, 'aws_instance')).map((i) => i.instance_type))).toEqual(new Set(['${var.instance_type}']));
      const [rule] = (variable as { validation: { condition: string }[] }).validation;
      expect(evaluate(rule.condition.slice(2, -1).replace(/var\.instance_type/g, '"m7g.xlarge"'))).toBe(true);
      for (const bad of ['M6i.xlarge', 'm6i', 'm6i.xlarge '])
        expect(evaluate(rule.condition.slice(2, -1).replace(/var\.instance_type/g, JSON.stringify(bad)))).toBe(false);
    },
  );
});
