// The entry scripts/synth-variants.js bundles: every variant the tests synthesize, as [name, JSON text].
import { RKE_HA_STACK } from '../app/stacks/rke-ha';
import { buildStack, RKE_HA_TLS_VARIANTS, STACK_VARIANTS } from '../__tests__/helpers/variants';
import { synthStack } from '../__tests__/helpers/synth';

export function* variants(): Generator<[string, string]> {
  for (const variant of STACK_VARIANTS) yield [variant.name, synthStack((app) => buildStack(app, variant.stack, variant.settings)).text];
  for (const [pair, tls] of Object.entries(RKE_HA_TLS_VARIANTS)) {
    yield [`rke-ha tls ${pair}`, synthStack((app) => buildStack(app, RKE_HA_STACK, { rancher: { tls } })).text];
  }
}
