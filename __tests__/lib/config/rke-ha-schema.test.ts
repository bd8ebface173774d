import { DEFAULT_NODE_COUNT, effectiveIngressController, effectiveNodeCount } from '../../../lib/config/rke-ha-schema';

describe('rkeHa settings', () => {
  it('defaults the node count per distribution to the HA layouts of the Rancher docs', () => {
    expect(DEFAULT_NODE_COUNT).toEqual({ rke2: 3, k3s: 2 });
  });

  describe('effectiveNodeCount', () => {
    it.each([
      ['rke2', undefined, 3],
      ['k3s', undefined, 2],
      ['rke2', 1, 1],
      ['rke2', 3, 3],
      ['k3s', 1, 1],
      ['k3s', 3, 3],
    ] as const)('%s with nodeCount %p → %i', (distribution, nodeCount, expected) => {
      expect(effectiveNodeCount({ distribution, nodeCount })).toBe(expected);
    });
  });

  describe('ingressController', () => {
    it('effectiveIngressController of nothing (or an empty section) is traefik, not the retired ingress-nginx', () => {
      expect(effectiveIngressController(undefined)).toBe('traefik');
      expect(effectiveIngressController({})).toBe('traefik');
    });
  });
});
