import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { LocalBackend } from 'cdktf';
import { CERT_MANAGER_NAMESPACE, CERT_MANAGER_REPOSITORY, CertManager } from '../../../lib/rancher/cert-manager';
import { only, synthConstruct } from '../../helpers/synth';

describe('CertManager', () => {
  const { json } = synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new HelmProvider(stack, 'helm', {});
    new RandomProvider(stack, 'random');
    const gate = new Password(stack, 'gate', { length: 8 });
    new CertManager(stack, 'cert-manager', { version: 'v1.21.1', dependsOn: [gate] });
  });
  const [, release] = only(json, 'helm_release');

  it('installs the jetstack chart at the given version into its namespace', () => {
    expect(CERT_MANAGER_REPOSITORY).toBe('https://charts.jetstack.io');
    expect(CERT_MANAGER_NAMESPACE).toBe('cert-manager');
    expect(release).toMatchObject({
      name: 'cert-manager',
      repository: 'https://charts.jetstack.io',
      chart: 'cert-manager',
      version: 'v1.21.1',
      namespace: 'cert-manager',
      create_namespace: true,
    });
  });

  it('installs the CRDs with the chart', () => {
    expect(release.set).toEqual([{ name: 'crds.enabled', value: 'true' }]);
  });

  it('waits for the deployments and the startup API check job, rolling back on failure', () => {
    expect(release).toMatchObject({ wait: true, wait_for_jobs: true, atomic: true, timeout: 600 });
  });

  it('passes depends_on through', () => {
    expect(release.depends_on).toEqual(['random_password.gate']);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
