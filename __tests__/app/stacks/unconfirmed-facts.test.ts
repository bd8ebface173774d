import { RECORDED_SUMS } from '../../../lib/config/release-sums';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { constructWarnings } from '../../../lib/synth/warnings';
import { singleZoneDatastoreWarning } from '../../../lib/deployments/private/unconfirmed-facts';
import { unsynthesizedApp } from '../../helpers/synth';
import { buildStack, RKE_HA_STACK } from '../../helpers/variants';

const RKE2 = DEFAULT_VERSIONS.rke2;
const ARM64 = RECORDED_SUMS.rke2[RKE2].artifacts.arm64!;

describe('facts the settings rely on and nobody could confirm here', () => {
  it('rke-ha says each at synth, naming the setting, and says nothing once they are pinned', () => {
    // Ubuntu on Graviton installs RKE2's arm64 tarball (one record); RHEL 9 in GovCloud looks its image up by a name
    // not confirmed there, and installs RKE2 from Rancher's RPMs (no tarball: no word on its sum).
    const tarball = { region: 'us-gov-west-1', rkeHa: { architecture: 'arm64', instanceType: 'm7g.xlarge' } } as const;
    const rhel = { region: 'us-gov-west-1', rkeHa: { architecture: 'arm64', instanceType: 'm7g.xlarge', operatingSystem: 'rhel-9' } } as const;
    expect(constructWarnings(buildStack(unsynthesizedApp(), RKE_HA_STACK, tarball))).toContainEqual(
      expect.stringContaining(`rke-ha: versions.rke2 ${RKE2} on arm64: the SHA-256 of rke2.linux-arm64.tar.gz`),
    );
    const rhelWarnings = constructWarnings(buildStack(unsynthesizedApp(), RKE_HA_STACK, rhel));
    expect(rhelWarnings).toContainEqual(
      expect.stringMatching(/^rke-ha: operatingSystem rhel-9 in us-gov-west-1 \(partition aws-us-gov\).*Pin an image you checked \(amiId\), /),
    );
    expect(rhelWarnings.filter((w) => /one record/.test(w))).toEqual([]);
    const pinned = [
      { ...tarball, versions: { releaseSums: { [RKE2]: { 'rke2.linux-arm64.tar.gz': ARM64.sha256 } } } },
      { ...rhel, rkeHa: { ...rhel.rkeHa, amiId: 'ami-0123456789abcdef0' } },
    ];
    for (const settings of pinned) {
      const after = constructWarnings(buildStack(unsynthesizedApp(), RKE_HA_STACK, settings));
      expect(after.filter((w) => /one record|not confirmed/.test(w))).toEqual([]);
    }
  });

  it('rke-ha with K3s says when its datastore has no standby in a second zone', () => {
    const warnings = constructWarnings(
      buildStack(unsynthesizedApp(), RKE_HA_STACK, { rkeHa: { distribution: 'k3s', datastore: { multiAz: false } } }),
    );
    expect(warnings).toContain(`rke-ha: ${singleZoneDatastoreWarning('datastore.multiAz')}`);
  });
});
