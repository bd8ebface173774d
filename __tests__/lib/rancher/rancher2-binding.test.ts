import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import type { TerraformStack } from 'cdktf';
import { PINS } from '../../../lib/config/pins';
import { DEFAULT_VERSIONS, rancherLine } from '../../../lib/config/versions';
import { Rancher2Bootstrap } from '../../../lib/rancher/rancher2-bootstrap';
import { RANCHER2_PROVIDER_VERSION, Rancher2BootstrapProvider } from '../../../lib/rancher/rancher2-provider';
import { BindingSchema } from '../../../lib/synth/block-schema';
import { terraformJsonToHcl } from '../../../lib/synth/hcl';
import { resources, synthConstruct } from '../../helpers/synth';

/**
 * The hand-written rancher2 binding (provider and rancher2_bootstrap): its
 * Terraform JSON, and its typed form, which the project's HCL writer reads to
 * tell blocks from attributes.
 */
function build(caCerts?: string) {
  let schema: BindingSchema | undefined;
  let bootstrap: Rancher2Bootstrap | undefined;
  const { json } = synthConstruct((stack: TerraformStack) => {
    new RandomProvider(stack, 'random');
    const password = new Password(stack, 'password', { length: 32, special: false });
    const provider = new Rancher2BootstrapProvider(stack, 'rancher2', {
      alias: 'bootstrap',
      apiUrl: 'https://rancher.acme.io',
      caCerts,
      timeout: '600s',
    });
    bootstrap = new Rancher2Bootstrap(stack, 'admin', {
      provider,
      initialPassword: password.result,
      password: password.result,
      uiDefaultLanding: 'vue',
      dependsOn: [password],
    });
    schema = new BindingSchema(stack);
  });
  return { json, schema: schema!, bootstrap: bootstrap! };
}

describe('Rancher2BootstrapProvider', () => {
  const { json, schema } = build('${var.ca}');

  it('requires rancher/rancher2 at the pinned release: the line of the default Rancher, or the one before while that line has no release (provider major = Rancher minor since 13.0.0)', () => {
    expect(json.terraform.required_providers.rancher2).toEqual({ source: 'rancher/rancher2', version: RANCHER2_PROVIDER_VERSION });
    expect(RANCHER2_PROVIDER_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    const minor = Number(rancherLine(DEFAULT_VERSIONS.rancher)!.split('.')[1]);
    expect(minor - Number(RANCHER2_PROVIDER_VERSION.split('.')[0])).toBeGreaterThanOrEqual(0);
    expect(minor - Number(RANCHER2_PROVIDER_VERSION.split('.')[0])).toBeLessThanOrEqual(1);
    expect(RANCHER2_PROVIDER_VERSION).toBe(PINS.rancher2Provider.version);
  });

  /** What the environment must not decide (the provider reads RANCHER_* variables for anything left out). */
  const PINNED = { access_key: 'nil', secret_key: 'nil', token_key: 'nil', insecure: false };

  it('writes bootstrap mode, the API URL, the CA and the timeout under its alias, and nothing that turns verification off', () => {
    expect(json.provider!.rancher2).toEqual([
      { alias: 'bootstrap', api_url: 'https://rancher.acme.io', bootstrap: true, ca_certs: '${var.ca}', timeout: '600s', ...PINNED },
    ]);
  });

  it('writes an empty ca_certs without a CA (the system roots), so RANCHER_CA_CERTS cannot set one', () => {
    expect(build().json.provider!.rancher2).toEqual([
      { alias: 'bootstrap', api_url: 'https://rancher.acme.io', bootstrap: true, ca_certs: '', timeout: '600s', ...PINNED },
    ]);
  });

  it('leaves no argument to the environment: every one the provider defaults from a RANCHER_* variable is written', () => {
    // rancher2 14.1.1 provider.go: api_url, access_key, bootstrap, secret_key, token_key, ca_certs and insecure default from the environment.
    const fromEnvironment = ['api_url', 'access_key', 'bootstrap', 'secret_key', 'token_key', 'ca_certs', 'insecure'];
    for (const provider of [json.provider!.rancher2[0], build().json.provider!.rancher2[0]]) {
      for (const argument of fromEnvironment) expect(provider[argument]).toBeDefined();
    }
    // "nil" is the provider's marker for a key not given: bootstrap mode refuses any other value.
    expect([PINNED.access_key, PINNED.secret_key, PINNED.token_key]).toEqual(['nil', 'nil', 'nil']);
  });

  it('has attributes only, as the HCL writer reads them from its typed form', () => {
    expect(schema.bindingBlocks.filter((path) => path.includes('rancher2'))).toEqual([]);
    const hcl = terraformJsonToHcl(json, schema);
    expect(hcl).toContain(
      [
        'provider "rancher2" {',
        '  access_key = "nil"',
        '  alias      = "bootstrap"',
        '  api_url    = "https://rancher.acme.io"',
        '  bootstrap  = true',
        '  ca_certs   = var.ca',
        '  insecure   = false',
        '  secret_key = "nil"',
        '  timeout    = "600s"',
        '  token_key  = "nil"',
        '}',
      ].join('\n'),
    );
    expect(hcl).toMatch(/rancher2 = \{\n\s+source\s+= "rancher\/rancher2"\n\s+version = "14\.\d+\.\d+"\n\s+\}/);
  });
});

describe('Rancher2Bootstrap', () => {
  const { json, schema, bootstrap } = build();
  // cdktf's metadata comment aside.
  const { '//': _metadata, ...resource } = resources(json, 'rancher2_bootstrap').admin;

  it('uses the aliased provider, after what it depends on, with both passwords as references', () => {
    expect(resource).toEqual({
      provider: 'rancher2.bootstrap',
      depends_on: ['random_password.password'],
      initial_password: '${random_password.password.result}',
      password: '${random_password.password.result}',
      ui_default_landing: 'vue',
    });
  });

  it('exposes the token, its id, the password set and the server-url as references', () => {
    const { json: outputs } = synthConstruct((stack) => {
      new RandomProvider(stack, 'random');
      const password = new Password(stack, 'password', { length: 32 });
      const provider = new Rancher2BootstrapProvider(stack, 'rancher2', { alias: 'b', apiUrl: 'https://r.acme.io', timeout: '60s' });
      const b = new Rancher2Bootstrap(stack, 'admin', {
        provider,
        initialPassword: password.result,
        password: password.result,
        uiDefaultLanding: 'vue',
      });
      stack.addOverride('output', {
        token: { value: b.token, sensitive: true },
        id: { value: b.tokenId },
        password: { value: b.currentPassword, sensitive: true },
        url: { value: b.url },
      });
    });
    expect(outputs.output).toEqual({
      token: { value: '${rancher2_bootstrap.admin.token}', sensitive: true },
      id: { value: '${rancher2_bootstrap.admin.token_id}' },
      password: { value: '${rancher2_bootstrap.admin.current_password}', sensitive: true },
      url: { value: '${rancher2_bootstrap.admin.url}' },
    });
    expect(bootstrap.terraformResourceType).toBe('rancher2_bootstrap');
  });

  it('is written as HCL with the provider reference unquoted and no block', () => {
    const hcl = terraformJsonToHcl(json, schema);
    expect(hcl).toContain(
      [
        'resource "rancher2_bootstrap" "admin" {',
        '  provider           = rancher2.bootstrap',
        '  initial_password   = random_password.password.result',
        '  password           = random_password.password.result',
        '  ui_default_landing = "vue"',
        '  depends_on         = [random_password.password]',
        '}',
      ].join('\n'),
    );
  });
});
