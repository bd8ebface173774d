import {
  DEFAULT_VERSIONS,
  MIN_CERT_MANAGER_MINOR,
  RANCHER_KUBERNETES_RANGE,
  RKE2_INGRESS_NGINX_LAST_MINOR,
  VERSION_FORMATS,
  certManagerMinor,
  primeOnly,
  rancherLine,
  rke2KubernetesMinor,
} from '../../../lib/config/versions';

describe('primeOnly', () => {
  it("a Rancher patch above the line's last community patch is Prime only; that patch, and a line without a recorded last patch, are not", () => {
    expect(primeOnly('2.14.4')).toBe(true);
    expect(primeOnly('2.14.3')).toBe(false);
    expect(primeOnly('2.99.0')).toBe(false);
    expect(primeOnly('v2.14.4')).toBe(false);
  });
});

describe('rke2KubernetesMinor', () => {
  it.each([
    ['v1.35.7+rke2r1', 35],
    ['v1.33.0+rke2r2', 33],
    ['v1.9.0+rke2r1', 9],
  ])('%s → %d', (version, minor) => {
    expect(rke2KubernetesMinor(version)).toBe(minor);
  });

  it.each(['1.35.7+rke2r1', 'v1.35.7', 'v1.35+rke2r1', 'v1.35.7+k3s1', 'v2.35.0+rke2r1', 'v1.35.7-rc1+rke2r1', ''])(
    'is undefined for %p',
    (version) => {
      expect(rke2KubernetesMinor(version)).toBeUndefined();
    },
  );
});

describe('rancherLine', () => {
  it.each([
    ['2.14.4', '2.14'],
    ['2.15.0', '2.15'],
    ['2.9.1', '2.9'],
  ])('%s → %s', (version, line) => {
    expect(rancherLine(version)).toBe(line);
  });

  it.each(['v2.14.4', '2.14', '2.14.4-rc1', '3.0.0', ''])('is undefined for %p', (version) => {
    expect(rancherLine(version)).toBeUndefined();
  });
});

describe('certManagerMinor', () => {
  it.each([
    ['v1.21.1', 21],
    ['v1.15.0', 15],
  ])('%s → %d', (version, minor) => {
    expect(certManagerMinor(version)).toBe(minor);
  });

  it.each(['1.21.1', 'v1.21', 'v2.0.0', 'v1.21.1-beta.0', ''])('is undefined for %p', (version) => {
    expect(certManagerMinor(version)).toBeUndefined();
  });
});

describe('DEFAULT_VERSIONS', () => {
  it('match the version formats', () => {
    expect(DEFAULT_VERSIONS.rke2).toMatch(VERSION_FORMATS.rke2);
    expect(DEFAULT_VERSIONS.rancher).toMatch(VERSION_FORMATS.rancher);
    expect(DEFAULT_VERSIONS.certManager).toMatch(VERSION_FORMATS.certManager);
  });

  it("pin an RKE2 inside the default Rancher line's Kubernetes range", () => {
    const range = RANCHER_KUBERNETES_RANGE[rancherLine(DEFAULT_VERSIONS.rancher)!];
    const minor = rke2KubernetesMinor(DEFAULT_VERSIONS.rke2)!;
    expect(range).toBeDefined();
    expect(minor).toBeGreaterThanOrEqual(range.min);
    expect(minor).toBeLessThan(range.maxExclusive);
  });

  it('pin a cert-manager Rancher accepts', () => {
    expect(certManagerMinor(DEFAULT_VERSIONS.certManager)).toBeGreaterThanOrEqual(MIN_CERT_MANAGER_MINOR);
  });

  it('pin an RKE2 that still ships the default ingress controller (ingress-nginx)', () => {
    expect(rke2KubernetesMinor(DEFAULT_VERSIONS.rke2)).toBeLessThanOrEqual(RKE2_INGRESS_NGINX_LAST_MINOR);
  });
});

describe('RANCHER_KUBERNETES_RANGE, as enforced by the schema', () => {
  const lines = Object.entries(RANCHER_KUBERNETES_RANGE);

  it('every range is non-empty', () => {
    for (const [, range] of lines) expect(range.min).toBeLessThan(range.maxExclusive);
  });
});
