import { RECORDED_SUMS } from '../../../../lib/config/release-sums';
import { unconfirmedImageWarning, unconfirmedSumWarning } from '../../../../lib/deployments/private/unconfirmed-facts';

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
});
