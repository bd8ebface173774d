import { parseSettings } from '../../../app/config/load';
import { rancherOnDockerSchema } from '../../../lib/config/deployment-schema';
import { resolveProps } from '../../../lib/deployments/private/resolve-props';

/**
 * The app parses the settings once and each construct its props once a synth: zod's fast path for an object schema
 * writes a parser's source and compiles it with `new Function` on a schema's first parse (zod 4 `v4/core/schemas.js`,
 * `generateFastpass`; `v4/core/doc.js`, `compile`), which costs more than one parse saves. The parses ask for
 * `jitless` (zod's ParseContext option), so nothing is compiled at run time. Its own file: a parse elsewhere in the
 * same file could compile the parsers first.
 */
describe('the settings and props parses compile no code at run time', () => {
  let compiled: number;
  const original = globalThis.Function;
  beforeEach(() => {
    compiled = 0;
    globalThis.Function = new Proxy(original, {
      construct(target, args) {
        compiled += 1;
        return Reflect.construct(target, args) as object;
      },
    });
  });
  afterEach(() => {
    globalThis.Function = original;
  });

  it('parseSettings', () => {
    expect(parseSettings({}, 'test').rkeHa).toBeDefined();
    expect(compiled).toBe(0);
  });

  it('resolveProps', () => {
    const resolved = resolveProps(
      rancherOnDockerSchema,
      { name: 'rancher', hostname: 'rancher.example.com', hostedZone: 'example.com', region: 'us-east-1' },
      'docker',
      'test',
    );
    expect(resolved.name).toBe('rancher');
    expect(compiled).toBe(0);
  });
});
