import { resources } from '../helpers/synth';
import { evaluate } from '../helpers/terraform';
import { synthSettings } from '../helpers/variants';

describe('instance_type as a pipeline knob', () => {
  it.each(['rke-ha', 'docker'] as const)(
    '%s: defaults to the settings value, drives the instances, and refuses a malformed type at plan',
    (stack) => {
      const type = stack === 'rke-ha' ? 'm6i.2xlarge' : 'c7i.large';
      const { json } = synthSettings(stack, stack === 'rke-ha' ? { rkeHa: { instanceType: type } } : { docker: { instanceType: type } });
      const variable = json.variable!.instance_type;
      expect(variable).toEqual(expect.objectContaining({ type: 'string', default: type, nullable: false }));
      expect(new Set(Object.values(resources(json, 'aws_instance')).map((i) => i.instance_type))).toEqual(new Set(['${var.instance_type}']));
      const [form, table] = (variable as { validation: { condition: string }[] }).validation;
      const holds = (rule: { condition: string }, value: string) =>
        evaluate(rule.condition.slice(2, -1).replace(/var\.instance_type/g, JSON.stringify(value)));
      expect(holds(form, 'm7g.xlarge')).toBe(true);
      for (const bad of ['M6i.xlarge', 'm6i', 'm6i.xlarge ']) expect(holds(form, bad)).toBe(false);
      // Issue 33: the settings' table at plan time too; a malformed value is left to the first rule.
      for (const good of ['m6i.xlarge', 'm7i.2xlarge', 'm7i.metal-24xl']) expect(holds(table, good)).toBe(true);
      for (const bad of ['m6i.xlarg', 't3.micro', 'm7g.xlarge']) expect(holds(table, bad)).toBe(false);
      expect(holds(table, 'M6i.xlarge')).toBe(true);
    },
  );

  it('rke-ha: with a pinned image, takes small types of the image architecture when the settings allow them', () => {
    const { json } = synthSettings('rke-ha', { rkeHa: { amiId: 'ami-0123456789abcdef0', allowSmallInstanceType: true } });
    const [, table] = (json.variable!.instance_type as { validation: { condition: string }[] }).validation;
    const holds = (value: string) => evaluate(table.condition.slice(2, -1).replace(/var\.instance_type/g, JSON.stringify(value)));
    expect(holds('t3.micro')).toBe(true);
    // The image is of one architecture, the instance type's when architecture is unset (x86_64 here): Graviton is refused.
    expect(holds('m7g.xlarge')).toBe(false);
  });
});

describe('instance_type with architecture arm64', () => {
  it('rke-ha: takes Graviton types at plan time and refuses x86_64 ones', () => {
    const { json } = synthSettings('rke-ha', { rkeHa: { architecture: 'arm64', instanceType: 'm7g.xlarge' } });
    const [, table] = (json.variable!.instance_type as { validation: { condition: string }[] }).validation;
    const holds = (value: string) => evaluate(table.condition.slice(2, -1).replace(/var\.instance_type/g, JSON.stringify(value)));
    for (const good of ['m7g.xlarge', 'm8g.2xlarge', 'c7g.2xlarge']) expect(holds(good)).toBe(true);
    for (const bad of ['m6i.xlarge', 'm7i.2xlarge', 't4g.medium']) expect(holds(bad)).toBe(false);
  });
});
