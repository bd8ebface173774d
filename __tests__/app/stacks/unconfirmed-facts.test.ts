import { RKE_HA_STACK } from '../../../app/stacks/rke-ha';
import { RECORDED_SUMS } from '../../../lib/config/release-sums';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { constructWarnings } from '../../../lib/synth/warnings';
import { singleZoneDatastoreWarning } from '../../../lib/deployments/private/unconfirmed-facts';
import { unsynthesizedApp } from '../../helpers/synth';
import { buildStack } from '../../helpers/variants';

const RKE2 = DEFAULT_VERSIONS.rke2;
const ARM64 = RECORDED_SUMS.rke2[RKE2].artifacts.arm64!;

describe('facts the settings rely on and nobody could confirm here', () => {
  it('rke-ha says each at synth, naming the setting, and says nothing once they are pinned', () => {
    const risky = {
      region: 'us-gov-west-1',
      rkeHa: { architecture: 'arm64', instanceType: 'm7g.xlarge', operatingSystem: 'rhel-9' },
    } as const;
    const warnings = constructWarnings(buildStack(unsynthesizedApp(), RKE_HA_STACK, risky));
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`rke-ha: versions.rke2 ${RKE2} on arm64: the SHA-256 of rke2.linux-arm64.tar.gz`),
        expect.stringMatching(/^rke-ha: operatingSystem rhel-9 in us-gov-west-1 \(partition aws-us-gov\).*Pin an image you checked \(amiId\), /),
      ]),
    );
    const pinned = {
      ...risky,
      versions: { releaseSums: { [RKE2]: { 'rke2.linux-arm64.tar.gz': ARM64.sha256 } } },
      rkeHa: { ...risky.rkeHa, amiId: 'ami-0123456789abcdef0' },
    };
    const after = constructWarnings(buildStack(unsynthesizedApp(), RKE_HA_STACK, pinned));
    expect(after.filter((w) => /one record|not confirmed/.test(w))).toEqual([]);
  });

  it('rke-ha with K3s says when its datastore has no standby in a second zone', () => {
    const warnings = constructWarnings(
      buildStack(unsynthesizedApp(), RKE_HA_STACK, { rkeHa: { distribution: 'k3s', datastore: { multiAz: false } } }),
    );
    expect(warnings).toContain(`rke-ha: ${singleZoneDatastoreWarning('datastore.multiAz')}`);
  });
});
