import { SettingsError } from '../lib/config/errors';
import { settingsAccept, unsynthesizedApp } from './helpers/synth';
import { buildStack, STACK_VARIANTS, type StackName } from './helpers/variants';

/**
 * One settings file feeds all three stacks (main.ts builds rke-ha, k8s-ha and
 * docker from it). A file the loader accepts must build every stack: a value
 * that matters to one stack only (the other distribution's version, another
 * stack's section) must never make another stack's construct refuse it, which
 * the app reports as an internal error. Construction only (no synth): that is
 * where a construct checks its props.
 */

const STACKS: readonly StackName[] = ['rke-ha', 'k8s-ha', 'docker'];

/** Accepted settings whose values belong to one stack or one distribution (issue 22, point 6). */
const CROSS_STACK: readonly (readonly [string, Record<string, unknown>])[] = [
  ['k3s with an RKE2 pin older than Rancher supports', { rkeHa: { distribution: 'k3s' }, versions: { rke2: 'v1.20.15+rke2r2' } }],
  ['k3s with an RKE2 pin newer than Rancher supports', { rkeHa: { distribution: 'k3s' }, versions: { rke2: 'v1.99.1+rke2r1' } }],
  ['rke2 with a K3s pin outside the range', { versions: { k3s: 'v1.20.15+k3s1' } }],
  ['docker settings beside rke-ha ones', { docker: { instanceType: 'm6i.large', sshKeyName: 'ops' }, rkeHa: { nodeCount: 1 } }],
  ['k8s-ha settings beside rke-ha ones', { k8sHa: { dns: { target: '203.0.113.10' } }, rkeHa: { distribution: 'k3s' } }],
];

const cases = [...CROSS_STACK, ...STACK_VARIANTS.map((v) => [`variant: ${v.name}`, v.settings as Record<string, unknown>] as const)];

describe('every stack builds from any settings the loader accepts', () => {
  it.each(CROSS_STACK)('%s: is accepted by the loader', (_name, input) => {
    expect(settingsAccept(input)).toBe(true);
  });

  it.each(cases)('%s: builds rke-ha, k8s-ha and docker without a construct refusing it', (_name, input) => {
    expect(settingsAccept(input)).toBe(true);
    const refused: string[] = [];
    for (const stack of STACKS) {
      try {
        buildStack(unsynthesizedApp(), stack, input);
      } catch (error) {
        if (!(error instanceof SettingsError)) throw error;
        refused.push(`${stack}: ${error.message}`);
      }
    }
    expect(refused).toEqual([]);
  });
});
