import { rancherLinesFor, versionOrder } from '../../../lib/kubernetes/private/upgrade-rules';

describe('upgrade rules (synth side)', () => {
  it('orders versions part by part', () => {
    expect(versionOrder('kubernetes', 'v1.35.10+rke2r1')).toBeGreaterThan(versionOrder('kubernetes', 'v1.35.9+rke2r2'));
    expect(versionOrder('kubernetes', 'v1.35.7+k3s2')).toBeGreaterThan(versionOrder('kubernetes', 'v1.35.7+k3s1'));
    expect(versionOrder('rancher', '2.14.3')).toBeLessThan(versionOrder('rancher', '2.15.0'));
    // A two-digit part is padded, so a later minor stays above an earlier minor's two-digit patch.
    expect(versionOrder('kubernetes', 'v1.36.1+rke2r1')).toBeGreaterThan(versionOrder('kubernetes', 'v1.35.10+rke2r1'));
    expect(() => versionOrder('rancher', 'v2.14.3')).toThrow('not a rancher version');
  });

  it('lists the Rancher lines whose chart accepts a Kubernetes minor', () => {
    expect(rancherLinesFor(35)).toEqual(['2.14', '2.15']);
    expect(rancherLinesFor(33)).toEqual(['2.12', '2.13', '2.14']);
    expect(rancherLinesFor(40)).toEqual([]);
  });
});
