import { mkdirSync, writeFileSync } from 'node:fs';
import { synthStack } from '../helpers/synth';
import { buildVariant, RKE_HA_TLS_VARIANTS, STACK_VARIANTS } from '../helpers/variants';
import { RKE_HA_STACK } from '../../stacks/rke-ha';
import { DOCKER_STACK } from '../../stacks/docker';

const OUT = process.env.GOLDEN_OUT ?? '/tmp/golden';
const extra = [
  ...Object.entries(RKE_HA_TLS_VARIANTS).map(([n, tls]) => ({ name: `tls ${n}`, stack: RKE_HA_STACK, settings: { rancher: { tls } } })),
  ...['rancher', 'blank', 'ca', 'acme'].map((issuer) => ({ name: `docker ${issuer}`, stack: DOCKER_STACK, settings: { docker: { tls: { issuer } } } })),
  { name: 'docker ext blank', stack: DOCKER_STACK, settings: { docker: { tls: { mode: 'external', issuer: 'blank' } } } },
  { name: 'rke single', stack: RKE_HA_STACK, settings: { rkeHa: { nodeCount: 1 } } },
  { name: 'rke no bootstrap', stack: RKE_HA_STACK, settings: { rancher: { bootstrap: { enabled: false } } } },
  { name: 'docker no bootstrap', stack: DOCKER_STACK, settings: { rancher: { bootstrap: { enabled: false } } } },
];
it('writes', () => {
  mkdirSync(OUT, { recursive: true });
  for (const v of [...STACK_VARIANTS, ...extra] as any[]) writeFileSync(`${OUT}/${v.name.replace(/[^a-z0-9]+/gi, '_')}.json`, synthStack((app) => buildVariant(app, v)).text);
});
