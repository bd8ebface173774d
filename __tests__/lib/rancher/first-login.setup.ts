// What first-login.test.ts and first-login.tools.test.ts share: FirstLogin synthesized after a password and a /ping
// probe, with the props a test overrides.
import { DataHttp } from '@cdktf/provider-http/lib/data-http';
import { HttpProvider } from '@cdktf/provider-http/lib/provider';
import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { TerraformOutput, TerraformVariable, type TerraformStack } from 'cdktf';
import { FirstLogin, type FirstLoginProps } from '../../../lib/rancher/first-login';
import { synthConstruct, type TerraformJson } from '../../helpers/synth';

type Extra = Partial<Omit<FirstLoginProps, 'password' | 'ping' | 'hostname'>> & { readonly hostnameVariable?: boolean };

export function synth(extra: Extra = {}): { json: TerraformJson; login: FirstLogin } {
  let login: FirstLogin | undefined;
  const { json } = synthConstruct((stack: TerraformStack) => {
    new RandomProvider(stack, 'random');
    new HttpProvider(stack, 'http');
    const password = new Password(stack, 'bootstrap-password', { length: 32, special: false });
    const ping = new DataHttp(stack, 'ping', { url: 'https://rancher.acme.io/ping' });
    const { hostnameVariable, ...props } = extra;
    login = new FirstLogin(stack, 'first-login', {
      enabled: true,
      hostname: hostnameVariable ? new TerraformVariable(stack, 'rancher_hostname', { type: 'string' }).stringValue : 'rancher.acme.io',
      password: password.result,
      ping,
      minutes: 10,
      providerAlias: 'bootstrap',
      checkName: 'rancher_server_url',
      ...props,
    });
    if (login.adminToken) new TerraformOutput(stack, 'token', { value: login.adminToken, sensitive: true });
    if (login.adminPassword) new TerraformOutput(stack, 'password', { value: login.adminPassword, sensitive: true });
  });
  return { json, login: login! };
}
