import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { BindingSchema, NESTED_ATTRIBUTES } from '../../../lib/synth/block-schema';
import { buildVariant, STACK_VARIANTS } from '../../helpers/variants';

const MODULES = join(__dirname, '..', '..', '..', 'node_modules');

/** The generated declarations of a provider binding, for kind/type as in the Terraform JSON. */
function declarations(kind: string, type: string): string {
  const provider = kind === 'provider' ? type : type.split('_')[0];
  const name = kind === 'provider' ? 'provider' : kind === 'data' ? `data-${type.replace(/_/g, '-')}` : type.slice(provider.length + 1).replace(/_/g, '-');
  const file = join(MODULES, '@cdktf', `provider-${provider}`, 'lib', name, 'index.d.ts');
  if (!existsSync(file)) throw new Error(`no binding declarations for ${kind} ${type} at ${file}`);
  return readFileSync(file, 'utf8');
}

/** The binding generator documents each real block's property as "<name> block". */
const documentedAsBlock = (text: string, name: string) => text.includes(`* ${name} block\n`);

// Every stack variant, so each resource type and nested block the stacks use is looked at (nothing is synthesized).
const outdir = mkdtempSync(join(tmpdir(), 'rancher-schema-'));
const schemas = STACK_VARIANTS.map((variant) => new BindingSchema(buildVariant(new App({ outdir }), variant)));
rmSync(outdir, { recursive: true, force: true });
const bindingBlocks = [...new Set(schemas.flatMap((s) => s.bindingBlocks))].sort();

describe('BindingSchema', () => {
  it('finds the nested blocks of the stacks, from the provider bindings', () => {
    for (const block of ['provider/aws/default_tags', 'resource/aws_instance/root_block_device', 'resource/aws_lb_listener/default_action/redirect', 'data/http/retry', 'resource/kubernetes_namespace_v1/metadata']) {
      expect(bindingBlocks).toContain(block);
    }
  });

  it.each(bindingBlocks.filter((p) => !NESTED_ATTRIBUTES[p.split('/').slice(0, 2).join('/')]?.includes(p.split('/')[2])))(
    '%s is documented as a block by the binding generator',
    (path) => {
      const [kind, type, ...names] = path.split('/');
      expect(documentedAsBlock(declarations(kind, type), names[names.length - 1])).toBe(true);
    },
  );

  it.each(Object.entries(NESTED_ATTRIBUTES).flatMap(([owner, names]) => names.map((name) => [owner, name] as const)))(
    '%s %s is a nested attribute: declared by the binding, not documented as a block, and no block here',
    (owner, name) => {
      const [kind, type] = owner.split('/');
      const text = declarations(kind, type);
      const camel = name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      expect(text).toMatch(new RegExp(`readonly ${camel}\\?:`));
      expect(documentedAsBlock(text, name)).toBe(false);
      for (const schema of schemas) expect(schema.isBlock([kind, type, name])).toBe(false);
    },
  );

  it('treats helm 3 set, set_sensitive and the provider kubernetes setting as attributes although the bindings mark them as blocks', () => {
    const rkeHa = schemas[STACK_VARIANTS.findIndex((v) => v.name === 'rke-ha defaults')];
    expect(rkeHa.bindingBlocks).toEqual(expect.arrayContaining(['provider/helm/kubernetes', 'resource/helm_release/set', 'resource/helm_release/set_sensitive']));
    expect(rkeHa.isBlock(['provider', 'helm', 'kubernetes'])).toBe(false);
    expect(rkeHa.isBlock(['resource', 'helm_release', 'set'])).toBe(false);
    expect(rkeHa.isBlock(['resource', 'aws_instance', 'root_block_device'])).toBe(true);
    expect(rkeHa.isBlock(['resource', 'aws_instance', 'tags'])).toBe(false);
  });
});
