import { SettingsError } from '../../../../lib/config/errors';
import { parseSettings } from '../../../../app/config/load';
import { DEFAULT_VERSIONS, MIN_CERT_MANAGER_MINOR, RANCHER_KUBERNETES_RANGE, RKE2_INGRESS_NGINX_LAST_MINOR } from '../../../../lib/config/versions';
import { withTestSums } from '../../../helpers/release-sums';

/**
 * Fields of the problems a settings object is rejected with; [] when it is accepted. The versions here are fictional
 * releases at the edges of each range: they get test sums (release-sums.test.ts holds the refusal without them).
 */
function problemFields(input: Record<string, unknown>): string[] {
  try {
    parseSettings(withTestSums(input), 'test');
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return error.problems.map((p) => p.field);
    throw error;
  }
}

/** Settings pinning RKE2 at Kubernetes 1.<minor> and a Rancher line, with the ingress that minor ships. */
function pinned(line: string, minor: number): Record<string, unknown> {
  return {
    versions: { rancher: `${line}.0`, rke2: `v1.${minor}.3+rke2r1` },
    rkeHa: { ingressController: minor > RKE2_INGRESS_NGINX_LAST_MINOR ? 'traefik' : 'ingress-nginx' },
  };
}

describe('DEFAULT_VERSIONS', () => {
  it("pass the schema's compatibility rules: an empty settings file parses", () => {
    expect(problemFields({})).toEqual([]);
    // No sums supplied: the pins' are recorded.
    expect(parseSettings({}, 'test').versions).toEqual({ ...DEFAULT_VERSIONS, releaseSums: {} });
  });
});

describe('RANCHER_KUBERNETES_RANGE, as enforced by the schema', () => {
  const lines = Object.entries(RANCHER_KUBERNETES_RANGE);

  const inside = lines.flatMap(([line, { min, maxExclusive }]) => Array.from({ length: maxExclusive - min }, (_, i) => [line, min + i] as const));
  it.each(inside)('Rancher %s accepts RKE2 Kubernetes 1.%d', (line, minor) => {
    expect(problemFields(pinned(line, minor))).toEqual([]);
  });

  const outside = lines.flatMap(([line, { min, maxExclusive }]) => [[line, min - 1, 'below'] as const, [line, maxExclusive, 'above'] as const]);
  it.each(outside)('Rancher %s rejects RKE2 Kubernetes 1.%d (first minor %s its range), naming versions.rke2', (line, minor) => {
    expect(problemFields(pinned(line, minor))).toEqual(['versions.rke2']);
  });

  it('the message names the Rancher line and its supported range', () => {
    const [line, { min, maxExclusive }] = lines[0];
    try {
      parseSettings(withTestSums(pinned(line, maxExclusive)), 'test');
      throw new Error('expected a SettingsError');
    } catch (error) {
      expect(error).toBeInstanceOf(SettingsError);
      expect((error as SettingsError).message).toContain(
        `versions.rke2: Kubernetes 1.${maxExclusive} is outside Rancher ${line}'s supported range 1.${min}-1.${maxExclusive - 1}`,
      );
    }
  });

  const lineNumbers = lines.map(([line]) => Number(line.split('.')[1]));
  it.each([`2.${Math.min(...lineNumbers) - 1}.0`, `2.${Math.max(...lineNumbers) + 1}.0`, '2.9.1'])(
    'rejects Rancher %s, a line without a known range, naming versions.rancher',
    (rancher) => {
      expect(problemFields({ versions: { rancher } })).toEqual(['versions.rancher']);
    },
  );
});

describe('ingress controller and RKE2 version', () => {
  it(`accepts ingress-nginx up to Kubernetes 1.${RKE2_INGRESS_NGINX_LAST_MINOR}`, () => {
    expect(
      problemFields({
        versions: { rke2: `v1.${RKE2_INGRESS_NGINX_LAST_MINOR}.0+rke2r1`, rancher: '2.15.0' },
        rkeHa: { ingressController: 'ingress-nginx' },
      }),
    ).toEqual([]);
  });

  it(`rejects ingress-nginx from Kubernetes 1.${RKE2_INGRESS_NGINX_LAST_MINOR + 1}, naming rkeHa.ingressController`, () => {
    const fields = problemFields({
      versions: { rke2: `v1.${RKE2_INGRESS_NGINX_LAST_MINOR + 1}.0+rke2r1` },
      rkeHa: { ingressController: 'ingress-nginx' },
    });
    expect(fields).toContain('rkeHa.ingressController');
  });

  it('accepts traefik on any supported minor', () => {
    expect(problemFields({ versions: { rke2: 'v1.34.2+rke2r1', rancher: '2.14.0' }, rkeHa: { ingressController: 'traefik' } })).toEqual([]);
  });
});

describe('cert-manager minimum', () => {
  it(`accepts v1.${MIN_CERT_MANAGER_MINOR}.0`, () => {
    expect(problemFields({ versions: { certManager: `v1.${MIN_CERT_MANAGER_MINOR}.0` } })).toEqual([]);
  });

  it(`rejects v1.${MIN_CERT_MANAGER_MINOR - 1}.9, naming versions.certManager`, () => {
    expect(problemFields({ versions: { certManager: `v1.${MIN_CERT_MANAGER_MINOR - 1}.9` } })).toEqual(['versions.certManager']);
  });
});
