import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { configureBaseProviders } from '../../../lib/common/providers';
import { RancherOnRke } from '../../../lib/deployments/rancher-on-rke';
import { BindingSchema, NESTED_ATTRIBUTES } from '../../../lib/synth/block-schema';
import { bindingDeclarations, documentedBlocks } from '../../helpers/root-module';

// Every block the stacks use is checked against the generated docs where the variants are synthesized
// (helpers/root-module.ts); here, the corrections and one stack.

describe('NESTED_ATTRIBUTES', () => {
  it.each(Object.entries(NESTED_ATTRIBUTES).flatMap(([owner, names]) => names.map((name) => [owner, name] as const)))(
    '%s %s: declared by the binding, not documented as a block (a plugin-framework nested attribute)',
    (owner, name) => {
      const [kind, type] = owner.split('/');
      const text = bindingDeclarations(kind, type);
      const camel = name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      expect(text).toMatch(new RegExp(`readonly ${camel}\\?:`));
      expect(documentedBlocks(kind, type).has(name)).toBe(false);
    },
  );
});

describe('BindingSchema of the rke-ha stack', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'rancher-schema-'));
  // A stack of RancherOnRke at its defaults, as a library user builds it (the app's rke-ha stack is the same construct).
  const stack = new TerraformStack(new App({ outdir }), 'rke-ha');
  configureBaseProviders(stack, { region: 'eu-west-1', tags: { team: 'platform' } });
  new RancherOnRke(stack, 'rancher', { hostname: 'rancher.acme.io', hostedZone: 'acme.io', adminCidrs: ['10.8.0.0/24'] });
  const schema = new BindingSchema(stack);
  rmSync(outdir, { recursive: true, force: true });

  it('reads the nested blocks from the provider bindings', () => {
    expect(schema.bindingBlocks).toEqual(
      expect.arrayContaining([
        'provider/aws/default_tags',
        'resource/aws_instance/root_block_device',
        'resource/aws_lb_target_group/health_check',
        'data/http/retry',
      ]),
    );
    expect(schema.isBlock(['resource', 'aws_instance', 'root_block_device'])).toBe(true);
    expect(schema.isBlock(['resource', 'aws_instance', 'tags'])).toBe(false);
  });

  it('treats helm 3 set, set_sensitive and the provider kubernetes setting as attributes although the bindings mark them as blocks', () => {
    expect(schema.bindingBlocks).toEqual(
      expect.arrayContaining(['provider/helm/kubernetes', 'resource/helm_release/set', 'resource/helm_release/set_sensitive']),
    );
    expect(schema.isBlock(['provider', 'helm', 'kubernetes'])).toBe(false);
    expect(schema.isBlock(['resource', 'helm_release', 'set'])).toBe(false);
    expect(schema.isBlock(['resource', 'helm_release', 'set_sensitive'])).toBe(false);
  });
});
