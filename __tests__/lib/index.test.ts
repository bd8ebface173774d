import * as lib from '../../lib';

describe('lib/index.ts', () => {
  it('re-exports every domain folder under its own namespace', () => {
    expect(Object.keys(lib).sort()).toEqual(
      ['backend', 'common', 'config', 'dns', 'docker', 'existingCluster', 'kubernetes', 'loadbalancer', 'network', 'nodes', 'rancher', 'synth', 'tls'].sort(),
    );
    expect(typeof lib.rancher.RancherServer).toBe('function');
    expect(typeof lib.network.PublicNetwork).toBe('function');
    expect(typeof lib.config.loadSettings).toBe('function');
  });
});
