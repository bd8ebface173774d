import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { TerraformOutput, Token } from 'cdktf';
import { RANCHER_NAMESPACE, RancherNamespace } from '../../../lib/rancher/namespace';
import { only, synthConstruct } from '../../helpers/synth';

describe('RancherNamespace', () => {
  let namespace!: RancherNamespace;
  const { json } = synthConstruct((stack) => {
    new KubernetesProvider(stack, 'kubernetes', {});
    new RandomProvider(stack, 'random');
    const gate = new Password(stack, 'gate', { length: 8 });
    const path = new Password(stack, 'path', { length: 8 });
    namespace = new RancherNamespace(stack, 'rancher-namespace', { dependsOn: [gate, path] });
    new TerraformOutput(stack, 'namespace', { value: namespace.name });
  });
  const [logicalId, resource] = only(json, 'kubernetes_namespace_v1');

  it('is cattle-system, the namespace the Rancher chart and its TLS secrets use', () => {
    expect(RANCHER_NAMESPACE).toBe('cattle-system');
    expect(resource.metadata).toEqual({ name: 'cattle-system' });
  });

  it('waits for what it is given (the API gate)', () => {
    expect(resource.depends_on).toEqual(['random_password.gate', 'random_password.path']);
  });

  it('leaves the labels and annotations Rancher sets alone', () => {
    expect(resource.lifecycle).toEqual({ ignore_changes: ['metadata[0].labels', 'metadata[0].annotations'] });
  });

  it('hands out its name as a reference, so users wait for the namespace', () => {
    expect(Token.isUnresolved(namespace.name)).toBe(true);
    expect(namespace.name).not.toBe('cattle-system');
    expect(json.output!.namespace.value).toBe(`\${kubernetes_namespace_v1.${logicalId}.metadata[0].name}`);
  });

  it('has a stable address derived from the construct path', () => {
    expect(resource['//'].metadata.path).toBe('test/rancher-namespace/namespace');
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
