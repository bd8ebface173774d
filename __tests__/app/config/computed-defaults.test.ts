import { COMPUTED_DEFAULTS } from '../../../app/config/computed-defaults';
import { parseSettings } from '../../../app/config/load';
import { dockerNetworkPlan, rkeNetworkPlan } from '../../../lib/deployments/private/network-plan';

/**
 * The settings reference shows the plans' results as computed defaults (app/config/computed-defaults.ts runs the
 * plans on the settings file's sections); the plans themselves are __tests__/lib/deployments/plans.test.ts's.
 */

const settings = (file: Record<string, unknown>) => parseSettings(file, 'plans');

describe('rkeNetworkPlan', () => {
  it('an existing network: no range of its own', () => {
    const existingNetwork = {
      vpcId: 'vpc-0123456789abcdef0',
      loadBalancerSubnetIds: ['subnet-0000000a', 'subnet-0000000b', 'subnet-0000000c'],
      nodeSubnetIds: ['subnet-0000000d', 'subnet-0000000e', 'subnet-0000000f'],
    };
    const plan = rkeNetworkPlan(settings({ rkeHa: { existingNetwork } }).rkeHa);
    expect(plan.vpcCidr).toBeUndefined();
    expect(plan.existing).toEqual({ ...existingNetwork, nodeHostNumber: 10 });
  });

  it('docker: the default range, or none in an existing network', () => {
    expect(dockerNetworkPlan(settings({}).docker)).toEqual({ vpcCidr: '10.0.0.0/16' });
    const existingNetwork = { vpcId: 'vpc-0123456789abcdef0', subnetId: 'subnet-0000000a' };
    expect(dockerNetworkPlan(settings({ docker: { existingNetwork } }).docker)).toEqual({ existing: { ...existingNetwork, hostNumber: 10 } });
  });
});

describe('the settings reference runs the plans', () => {
  const defaults = settings({});
  it.each([
    ['rkeHa.nodeCount', [3, 2]],
    ['rkeHa.ingressController', ['traefik']],
    ['rkeHa.vpcCidr', ['10.0.0.0/16']],
    ['rkeHa.natGateways', ['per-zone']],
    ['docker.vpcCidr', ['10.0.0.0/16']],
    ['rkeHa.architecture', ['x86_64']],
    ['docker.architecture', ['x86_64']],
    ['proxy.https', [undefined, 'http://proxy.internal:3128']],
  ])('%s', (path, values) => {
    expect(COMPUTED_DEFAULTS[path].cases.map((c) => c.value(defaults))).toEqual(values);
  });
});
