import { z } from 'zod';
import { acceptedSections, rulesOver } from '../../../lib/config/rules-over';
import { CONSTRUCTS, schemaProblems } from '../../helpers/construct-schemas';

/** A schema shaped as the settings are: sections with defaults, an optional one, a list, a scalar. */
const fields = z.strictObject({
  name: z.string().default('rancher'),
  rancher: z
    .strictObject({
      tls: z.strictObject({ mode: z.enum(['ingress', 'external']).default('ingress') }).prefault({}),
      replicas: z.number().default(3),
    })
    .prefault({}),
  proxy: z.strictObject({ http: z.string() }).optional(),
  adminCidrs: z.array(z.string()).default([]),
  tags: z.record(z.string(), z.string()).default({}),
});

/** What a rule read, and whether reading `rancher.tls.mode` as the settings' rules do broke. */
function readBy(input: unknown): { seen: unknown[]; thrown: unknown[] } {
  const seen: unknown[] = [];
  const thrown: unknown[] = [];
  const schema = rulesOver(fields, (value) => {
    seen.push(value);
    try {
      void value.rancher?.tls.mode;
    } catch (error) {
      thrown.push(error);
    }
  });
  schema.safeParse(input);
  return { seen, thrown };
}

describe('rulesOver: the rules read only the sections the schema accepted', () => {
  it.each([['x'], [1.5], [['a']], [true]])('a section given %j is, to the rules, its defaults, and no rule breaks on it', (given) => {
    const { seen, thrown } = readBy({ rancher: given });
    expect(thrown).toEqual([]);
    expect(seen).toEqual([expect.objectContaining({ rancher: { tls: { mode: 'ingress' }, replicas: 3 } })]);
  });

  it('a section inside a section, and a list and a free-form mapping, likewise; an optional section without defaults is left out', () => {
    const { seen } = readBy({ rancher: { tls: 'x', replicas: 5 }, adminCidrs: 'x', tags: ['a'], proxy: 7 });
    expect(seen).toEqual([{ name: 'rancher', rancher: { tls: { mode: 'ingress' }, replicas: 5 }, adminCidrs: [], tags: {}, proxy: undefined }]);
  });

  it("a scalar of the wrong type stays as given (the rules check a value's type), and so does a section that is a mapping", () => {
    const { seen } = readBy({ name: 7, rancher: { replicas: 'three', tls: { mode: 'bogus' } } });
    expect(seen).toEqual([expect.objectContaining({ name: 7, rancher: { replicas: 'three', tls: { mode: 'bogus' } } })]);
  });

  it('never runs the rules on a value that is not a mapping at all (its type error is reported already)', () => {
    for (const input of ['x', ['a'], 5, null]) expect(readBy(input).seen).toEqual([]);
  });

  it("leaves the parsed value as it is: the view is the rules' own", () => {
    const schema = rulesOver(fields, () => undefined);
    const result = schema.safeParse({ rancher: { tls: 'x' } });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['rancher.tls']);
    const value = { rancher: { tls: 'x' } };
    expect(acceptedSections(fields, value, [{ code: 'invalid_type', expected: 'object', path: ['rancher', 'tls'], input: 'x' }])).toEqual({
      rancher: { tls: { mode: 'ingress' } },
    });
    expect(value).toEqual({ rancher: { tls: 'x' } });
  });
});

describe("the constructs' props: a section that is not a mapping is refused, never a TypeError", () => {
  it.each(CONSTRUCTS.map(([construct, schema]) => [construct, schema] as const))('%s', (_construct, schema) => {
    for (const given of ['x', 1.5, ['a']]) {
      expect(schemaProblems(schema, { rancher: given }, () => 'unknown')).toEqual([`rancher: expected a mapping`]);
    }
  });
});
