import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { LocalBackend, TerraformStack } from 'cdktf';
import { forgetWhenRemoved } from '../../../lib/existing-cluster/private/forget-when-removed';
import { CertManager } from '../../../lib/rancher/cert-manager';
import { resources, synthConstruct, unsynthesizedApp } from '../../helpers/synth';

describe('forgetWhenRemoved', () => {
  it('names the exact address the resource had at that construct path', () => {
    const installed = synthConstruct((stack) => {
      new HelmProvider(stack, 'helm', {});
      new CertManager(stack, 'cert-manager', { version: 'v1.21.1' });
    }).json;
    const [releaseName] = Object.keys(resources(installed, 'helm_release'));

    let address = '';
    const removed = synthConstruct((stack) => {
      new LocalBackend(stack, { path: 'terraform.test.tfstate' });
      address = forgetWhenRemoved(stack, 'helm_release', ['cert-manager', 'release']);
    }).json;
    expect(address).toBe(`helm_release.${releaseName}`);
    expect(removed.removed).toEqual([{ from: address, lifecycle: { destroy: false } }]);
  });

  it('keeps every block when called more than once, and reserves the path', () => {
    const stack = new TerraformStack(unsynthesizedApp(), 'test');
    forgetWhenRemoved(stack, 'helm_release', ['a', 'release']);
    forgetWhenRemoved(stack, 'helm_release', ['b', 'release']);
    const json = stack.toTerraform() as { removed?: { from: string }[] };
    expect(json.removed?.map((r) => r.from)).toEqual([
      expect.stringMatching(/^helm_release\.a_release_/),
      expect.stringMatching(/^helm_release\.b_release_/),
    ]);
    expect(() => new CertManager(stack, 'a', { version: 'v1.21.1' })).toThrow();
  });
});
