import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { RKE_HA_STACK } from '../../../app/stacks/rke-ha';
import { parse } from 'yaml';
import { resources, userDataOf, type TerraformJson } from '../../helpers/synth';
import { renderTemplate, validateCloudConfig } from '../../helpers/validators';
import { synthSettings } from '../../helpers/variants';

function synth(input: SettingsInput) {
  return synthSettings(RKE_HA_STACK, input).json;
}

/** The servers, each with its plain-text user data (from ServerNode's local) as `user_data`, for reading. */
const instances = (json: TerraformJson): Record<string, any> =>
  Object.fromEntries(Object.entries(resources(json, 'aws_instance')).map(([name, i]) => [name, { ...i, user_data: userDataOf(json, i) }]));

describe('rke-ha options: HTTP proxy', () => {
  const json = synth({ proxy: { http: 'http://proxy.internal:3128', noProxy: ['.corp.example'] } });
  const userData = Object.values(instances(json)).map((i) => i.user_data as string);

  it('renders user data that cloud-init, yamllint and shellcheck accept', () => {
    validateCloudConfig(renderTemplate(userData[0], (e) => `value-of-${e.replace(/[^a-z0-9]+/gi, '-')}`));
  });
});

describe('rke-ha options: K3s with an external datastore', () => {
  const json = synth({ rkeHa: { distribution: 'k3s' } });
  const servers = Object.values(instances(json));
  const render = (text: string) => renderTemplate(text, (e) => `value-of-${e.replace(/[^a-z0-9]+/gi, '-')}`);

  it('runs two K3s servers behind the same NLB, only the first may place the CAs', () => {
    expect(servers).toHaveLength(2);
    expect(servers.map((i) => /NODE_ROLE="(\w+)"/.exec(i.user_data)![1])).toEqual(['init', 'join']);
    for (const server of servers) {
      const files = validateCloudConfig(render(server.user_data));
      const config = parse(files.find((f) => f.path === '/etc/rancher/k3s/config.yaml')!.content);
      expect(config).toEqual({ 'token-file': '/etc/rancher/k3s/token', 'tls-san': expect.any(Array), 'write-kubeconfig-mode': '0600' });
      expect(files.find((f) => f.path === '/etc/rancher/bootstrap.env')!.content).toContain(`K3S_VERSION="${DEFAULT_VERSIONS.k3s}"`);
      // Nothing of RKE2's (the day-N scripts shared by both name it only as the other choice of their argument).
      expect(files.filter((f) => f.path.includes('rke2'))).toEqual([]);
      expect(server.user_data).not.toMatch(/RKE2_|\/etc\/rancher\/rke2|etcd-s3|cert-renewal rke2/);
    }
    expect(Object.keys(resources(json, 'aws_lb_target_group_attachment'))).toHaveLength(6);
  });
});
