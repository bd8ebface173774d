import { parse } from 'yaml';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { RKE_HA_STACK } from '../../../app/stacks/rke-ha';
import { resources, userDataOf, type TerraformJson } from '../../helpers/synth';
import { synthSettings } from '../../helpers/variants';
import { placeholderValue, renderTemplate, validateCloudConfig } from '../../helpers/validators';

function synth(input: SettingsInput = {}) {
  return synthSettings(RKE_HA_STACK, input);
}
const byName = (json: TerraformJson, type: string) => Object.entries(resources(json, type));

const { json } = synth();

describe('rke-ha stack: nodes', () => {
  const instances = byName(json, 'aws_instance');

  it('renders user data that cloud-init, yamllint and shellcheck accept', () => {
    for (const [, i] of instances) {
      const rendered = renderTemplate(userDataOf(json, i), placeholderValue);
      const files = validateCloudConfig(rendered);
      const config = parse(files.find((f) => f.path === '/etc/rancher/rke2/config.yaml')!.content);
      expect(config['tls-san']).toEqual([
        'value-of-var-rancher-hostname',
        expect.stringMatching(/^value-of-aws-lb-load-balancer-lb-[0-9A-F]+-dns-name$/),
      ]);
      expect(config['ingress-controller']).toEqual(['traefik']);
      expect(config['etcd-s3-bucket']).toMatch(/^value-of-aws-s3-bucket-etcd-snapshots-bucket/);
      expect(userDataOf(json, i)).toContain(`RKE2_VERSION="${DEFAULT_VERSIONS.rke2}"`);
    }
  });
});
