import { RKE_HA_STACK } from '../../../app/stacks/rke-ha';
import { RECORDED_SUMS } from '../../../lib/config/release-sums';
import { constructWarnings } from '../../../lib/synth/warnings';
import { singleZoneDatastoreWarning, unconfirmedImageWarning, unconfirmedSumWarning } from '../../../lib/deployments/private/unconfirmed-facts';
import { settingsProblems, unsynthesizedApp } from '../../helpers/synth';
import { buildStack } from '../../helpers/variants';

const RKE2 = 'v1.35.7+rke2r1';
const ARM64 = RECORDED_SUMS.rke2[RKE2].artifacts.arm64!;

describe('facts the settings rely on and nobody could confirm here', () => {
  it('warns on a release sum recorded from one source, unless the operator supplies the same sum', () => {
    expect(unconfirmedSumWarning('rke2', RKE2, 'arm64', undefined, 'versions.rke2')).toContain(
      `the SHA-256 of rke2.linux-arm64.tar.gz the servers check comes from one record (${ARM64.sources[0]})`,
    );
    expect(unconfirmedSumWarning('rke2', RKE2, 'arm64', { [RKE2]: { 'rke2.linux-arm64.tar.gz': ARM64.sha256 } }, 'versions.rke2')).toBeUndefined();
    // Three records: confirmed.
    expect(unconfirmedSumWarning('rke2', RKE2, 'x86_64', undefined, 'versions.rke2')).toBeUndefined();
    // No record at all: the settings' own refusal (missingReleaseSums) speaks, not this warning.
    expect(unconfirmedSumWarning('rke2', 'v1.35.8+rke2r1', 'arm64', undefined, 'versions.rke2')).toBeUndefined();
  });

  it('warns on RHEL looked up by name in China and GovCloud, never with a pinned image or in the commercial partition', () => {
    expect(unconfirmedImageWarning('rhel-9', 'us-gov-west-1', undefined, 'rkeHa.operatingSystem')).toContain('partition aws-us-gov');
    expect(unconfirmedImageWarning('rhel-9', 'cn-north-1', undefined, 'rkeHa.operatingSystem')).toContain('partition aws-cn');
    expect(unconfirmedImageWarning('rhel-9', 'us-gov-west-1', 'ami-0123456789abcdef0', 'rkeHa.operatingSystem')).toBeUndefined();
    expect(unconfirmedImageWarning('rhel-9', 'eu-west-1', undefined, 'rkeHa.operatingSystem')).toBeUndefined();
    expect(unconfirmedImageWarning('ubuntu-24.04', 'cn-north-1', undefined, 'rkeHa.operatingSystem')).toBeUndefined();
  });

  it('rke-ha says each at synth, naming the setting, and says nothing once they are pinned', () => {
    const risky = {
      region: 'us-gov-west-1',
      rkeHa: { architecture: 'arm64', instanceType: 'm7g.xlarge', operatingSystem: 'rhel-9' },
    } as const;
    const warnings = constructWarnings(buildStack(unsynthesizedApp(), RKE_HA_STACK, risky));
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rke-ha: versions\.rke2 v1\.35\.7\+rke2r1 on arm64: the SHA-256 of rke2\.linux-arm64\.tar\.gz/),
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

  it('refuses the EU Sovereign Cloud, saying why', () => {
    expect(settingsProblems({ region: 'eusc-de-east-1' })).toEqual([
      expect.objectContaining({ field: 'region', message: expect.stringContaining('AWS European Sovereign Cloud (partition aws-eusc)') }),
    ]);
  });
});
