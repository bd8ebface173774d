import { LocalBackend, TerraformVariable } from 'cdktf';
import { configureClusterProviders } from '../../../lib/kubernetes/cluster-access';
import { synthConstruct } from '../../helpers/synth';

describe('configureClusterProviders', () => {
  const { json } = synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    const pem = (name: string) => new TerraformVariable(stack, name, { type: 'string', sensitive: true }).stringValue;
    configureClusterProviders(stack, {
      host: 'https://demo-lb.elb.us-east-1.amazonaws.com:6443',
      clusterCaCertificate: pem('ca'),
      clientCertificate: pem('cert'),
      clientKey: pem('key'),
    });
  });
  const expected = {
    host: 'https://demo-lb.elb.us-east-1.amazonaws.com:6443',
    cluster_ca_certificate: '${var.ca}',
    client_certificate: '${var.cert}',
    client_key: '${var.key}',
  };

  it('configures one helm provider whose kubernetes attribute holds the credentials', () => {
    expect(json.provider?.helm).toHaveLength(1);
    expect(json.provider?.helm[0]).toEqual({ kubernetes: expected });
  });

  it('configures one kubernetes provider with the same credentials and nothing else', () => {
    expect(json.provider?.kubernetes).toEqual([expected]);
    expect(json.provider?.kubernetes[0]).toEqual(json.provider?.helm[0].kubernetes);
  });

  it('reads no kubeconfig file', () => {
    for (const config of [json.provider?.kubernetes[0], json.provider?.helm[0].kubernetes]) {
      expect(config).not.toHaveProperty('config_path');
      expect(config).not.toHaveProperty('config_paths');
      expect(config).not.toHaveProperty('insecure');
    }
  });

  it('requires the helm and kubernetes providers', () => {
    expect(Object.keys(json.terraform.required_providers).sort()).toEqual(['helm', 'kubernetes']);
  });
});
