import { ENVIRONMENT_PROOF } from '../../../lib/rancher/rancher2-provider';
import { resources, type TerraformJson } from '../../helpers/synth';
import { synth } from './first-login.setup';

const checks = (json: TerraformJson) =>
  (json as unknown as { check?: Record<string, { assert: { condition: string; error_message: string }[] }> }).check;
const removed = (json: TerraformJson) => json.removed;

describe('FirstLogin', () => {
  const { json } = synth({ caCertPem: '${var.ca}' });
  const [[address, bootstrap]] = Object.entries(resources(json, 'rancher2_bootstrap'));

  it('logs in after /ping through the aliased provider, with the bootstrap password as first and lasting password', () => {
    expect(bootstrap).toMatchObject({
      provider: 'rancher2.bootstrap',
      depends_on: ['data.http.ping'],
      initial_password: '${random_password.bootstrap-password.result}',
      password: '${random_password.bootstrap-password.result}',
      ui_default_landing: 'vue',
    });
  });

  it('points the provider at https://<hostname> in bootstrap mode, trusting the CA the probe trusts, within the budget', () => {
    expect(json.provider!.rancher2).toEqual([
      { alias: 'bootstrap', api_url: 'https://rancher.acme.io', bootstrap: true, ca_certs: '${var.ca}', timeout: '600s', ...ENVIRONMENT_PROOF },
    ]);
  });

  it('exposes the token and the password it set, for sensitive outputs', () => {
    expect(json.output).toEqual({
      token: { value: `\${rancher2_bootstrap.${address}.token}`, sensitive: true },
      password: { value: `\${rancher2_bootstrap.${address}.current_password}`, sensitive: true },
    });
  });

  it('warns on every plan when server-url is not https://<hostname>', () => {
    const [assert] = checks(json)!.rancher_server_url.assert;
    expect(assert.condition).toBe(`\${(rancher2_bootstrap.${address}.url == "https://rancher.acme.io")}`);
    expect(assert.error_message).toContain(`\${rancher2_bootstrap.${address}.url}`);
    expect(removed(json)).toBeUndefined();
  });

  it('keeps a hostname that is a reference inside the condition as a template, not as text', () => {
    const [assert] = checks(synth({ hostnameVariable: true }).json)!.rancher_server_url.assert;
    expect(assert.condition).toBe(`\${(rancher2_bootstrap.${address}.url == "https://\${var.rancher_hostname}")}`);
  });

  describe('turned off', () => {
    const { json: off, login } = synth({ enabled: false });

    it('creates no bootstrap, no check and no token, and forgets the one an earlier apply made, at the same address', () => {
      expect(resources(off, 'rancher2_bootstrap')).toEqual({});
      expect(checks(off)).toBeUndefined();
      expect([login.adminToken, login.adminPassword, login.bootstrap]).toEqual([undefined, undefined, undefined]);
      expect(removed(off)).toEqual([{ from: `rancher2_bootstrap.${address}`, lifecycle: { destroy: false } }]);
    });

    it('still declares the provider: Terraform needs it to forget an object it made', () => {
      expect(off.provider!.rancher2).toEqual([
        { alias: 'bootstrap', api_url: 'https://rancher.acme.io', bootstrap: true, ca_certs: '', timeout: '600s', ...ENVIRONMENT_PROOF },
      ]);
    });
  });

  describe('with a CA read from the cluster (pinCaCert)', () => {
    const { json: pinned } = synth({ caCertPem: '${var.ca}', pinCaCert: true });
    const [[pinName, pin]] = Object.entries(resources(pinned, 'terraform_data'));

    it('trusts the CA pinned at the first login, whose later changes are ignored: its input as planned, not its output', () => {
      expect(pin).toMatchObject({ input: '${var.ca}', lifecycle: { ignore_changes: ['input'] } });
      expect(pinned.provider!.rancher2[0].ca_certs).toBe(`\${terraform_data.${pinName}.input}`);
    });

    it('pins nothing for a CA known at plan, or with the bootstrap off', () => {
      expect(resources(json, 'terraform_data')).toEqual({});
      expect(resources(synth({ caCertPem: '${var.ca}', pinCaCert: true, enabled: false }).json, 'terraform_data')).toEqual({});
    });
  });
});
