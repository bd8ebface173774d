import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RKE_HA_TLS_VARIANTS, STACK_VARIANTS, buildStack } from './helpers/variants';
import { synthStack } from './helpers/synth';

const OUT = process.env.BASELINE_OUT ?? '/tmp/surface/none';
test('writes every variant', () => {
  mkdirSync(OUT, { recursive: true });
  const all = [...STACK_VARIANTS, ...Object.entries(RKE_HA_TLS_VARIANTS).map(([name, tls]) => ({ name: `tls ${name}`, stack: 'rke-ha' as const, settings: { rancher: { tls } } }))];
  for (const v of all) {
    const { text } = synthStack((app) => buildStack(app, v.stack, v.settings));
    writeFileSync(join(OUT, `${v.name.replace(/[^a-zA-Z0-9+]+/g, '_')}.json`), text);
  }
  expect(all.length).toBeGreaterThan(30);
});
