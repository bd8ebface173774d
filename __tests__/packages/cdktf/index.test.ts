import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { HttpProvider } from '@cdktf/provider-http/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { Password } from '@cdktn/provider-random/lib/password';

// The one core (packages/cdktf, docs/toolchain.md "One core"): the app and the library import 'cdktf', the @cdktf
// bindings require 'cdktf' and the @cdktn ones 'cdktn'; all of them must get the same module, or a stack would hold
// resources of two TerraformStack classes with two token registries. An npm alias (`cdktf@npm:cdktn@0.24.0`) installs
// a second copy of cdktn, and cdktf 0.21.0 beside cdktn is another core: both fail the first case.
// require, not `import * as`: TypeScript's import of a CommonJS module wraps it in an object of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdktf = require('cdktf') as typeof import('cdktf');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdktn = require('cdktn') as typeof import('cdktn');

describe("the local 'cdktf' package", () => {
  it("is cdktn's own module object, not a copy of it", () => {
    expect(cdktf).toBe(cdktn);
  });

  it('is the core every binding the project uses extends, @cdktf and @cdktn alike', () => {
    const bindings = { AwsProvider, RandomProvider, HelmProvider, HttpProvider, KubernetesProvider, TlsProvider };
    const extending = Object.entries(bindings).filter(([, provider]) => Object.getPrototypeOf(provider) === cdktn.TerraformProvider);
    expect(extending.map(([name]) => name)).toEqual(Object.keys(bindings));
  });

  it("resolves one binding's token inside another's resource, in a stack of the app's core", () => {
    const app = cdktf.Testing.app();
    const stack = new cdktf.TerraformStack(app, 'one-core');
    new TlsProvider(stack, 'tls');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new cdktn.TerraformOutput(stack, 'the-password', { value: new Password(stack, 'password', { length: 16 }).result, sensitive: true });
    const key = new PrivateKey(stack, 'key', { algorithm: 'ED25519' });
    expect(cdktf.TerraformStack.of(key)).toBe(stack);
    const json = JSON.parse(JSON.stringify(stack.toTerraform())) as { output: Record<string, { value: string }> };
    expect(json.output['the-password']!.value).toBe('${random_password.password.result}');
  });
});
