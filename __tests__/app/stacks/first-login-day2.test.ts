import type { SettingsInput } from '../../../app/config/settings-schema';
import { plannedChange } from '../../helpers/replacement';
import { type TerraformJson } from '../../helpers/synth';
import { type StackName, synthSettings, DOCKER_STACK, K8S_HA_STACK, RKE_HA_STACK } from '../../helpers/variants';

/**
 * Day 2 of the first-login bootstrap, on pairs of synthesized modules: turning
 * it on for a running deployment adds it and changes nothing else; turning it
 * off forgets it (a `removed` block, destroy = false) and changes nothing
 * else. rancher2_bootstrap has no argument that forces a replacement
 * (rancher/rancher2 14.1.1 `schema_bootstrap.go`), and its delete only forgets.
 */
const SITE: SettingsInput = { hostname: 'rancher.acme.io', hostedZone: 'acme.io' };
const OFF: SettingsInput = { ...SITE, rancher: { bootstrap: { enabled: false } } };

const synth = (stack: StackName, settings: SettingsInput): TerraformJson => synthSettings(stack, settings).json;

/** Every resource and data source by address, without cdktf's metadata comments (they carry the construct path only). */
function byAddress(json: TerraformJson): Map<string, unknown> {
  const all = new Map<string, unknown>();
  for (const [prefix, blocks] of [
    ['', json.resource],
    ['data.', json.data ?? {}],
  ] as const) {
    for (const [type, instances] of Object.entries(blocks)) {
      for (const [name, body] of Object.entries(instances)) {
        const { '//': _metadata, ...rest } = body as Record<string, unknown>;
        all.set(`${prefix}${type}.${name}`, rest);
      }
    }
  }
  return all;
}
const removedBlocks = (json: TerraformJson) => json.removed ?? [];

describe.each([RKE_HA_STACK, K8S_HA_STACK, DOCKER_STACK] as const)('%s: the first-login bootstrap on a running deployment', (stack) => {
  const off = synth(stack, OFF);
  const on = synth(stack, SITE);
  const [bootstrap] = [...byAddress(on).keys()].filter((a) => a.startsWith('rancher2_bootstrap.'));
  // Rancher's own CA (the default issuer), pinned for the provider at the first login.
  const [pin] = [...byAddress(on).keys()].filter((a) => a.startsWith('terraform_data.first-login_trusted-ca_'));

  it('turned on: adds the bootstrap (and the CA it trusts) and nothing else; every existing resource and data source stays as it is (no replacement, no change)', () => {
    expect(pin).toBeDefined();
    expect(plannedChange(off, on)).toEqual({ replaced: [], destroyed: [] });
    const before = byAddress(off);
    const after = byAddress(on);
    expect([...after.keys()].filter((a) => !before.has(a)).sort()).toEqual([bootstrap, pin].sort());
    for (const [address, body] of before) expect([address, after.get(address)]).toEqual([address, body]);
    // The provider the bootstrap uses was already declared, configured alike but for the pinned CA.
    const { ca_certs: pinned, ...rest } = on.provider!.rancher2[0];
    const { ca_certs: read, ...restOff } = off.provider!.rancher2[0];
    expect(rest).toEqual(restOff);
    expect([pinned, (after.get(pin) as { input: unknown }).input]).toEqual([`\${${pin}.input}`, read]);
    expect(removedBlocks(on).filter((r) => r.from.startsWith('rancher2_bootstrap.'))).toEqual([]);
  });

  it('turned off: forgets the bootstrap (a removed block for its exact address, destroy = false), and changes nothing else', () => {
    expect(plannedChange(on, off)).toEqual({ replaced: [], destroyed: [bootstrap, pin].sort() });
    expect(removedBlocks(off)).toContainEqual({ from: bootstrap, lifecycle: { destroy: false } });
    const before = byAddress(on);
    for (const [address, body] of byAddress(off)) expect([address, body]).toEqual([address, before.get(address)]);
  });
});
