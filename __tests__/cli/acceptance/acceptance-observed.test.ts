import { describeSeen, seenArtifacts } from '../../../cli/acceptance/acceptance-observed';
import { markdownReport, type AcceptanceReport } from '../../../cli/acceptance/acceptance-report';
import type { ModuleState } from '../../../cli/shared/terraform';
import { RECORDED_SUMS } from '../../../lib/config/release-sums';

/** A state after the apply: the servers' image lookup (a Graviton RHEL image in GovCloud) and a resource beside it. */
const STATE: ModuleState = {
  resources: [
    {
      address: 'data.aws_ami.ami_lookup_0A1B2C3D',
      mode: 'data',
      type: 'aws_ami',
      name: 'ami_lookup_0A1B2C3D',
      attributes: {
        id: 'ami-0123456789abcdef0',
        name: 'RHEL-9.6.0_HVM-20250910-arm64-0-Hourly2-GP3',
        owner_id: '219670896067',
        architecture: 'arm64',
      },
    },
    { address: 'aws_instance.server-0', mode: 'managed', type: 'aws_instance', name: 'server-0', attributes: { ami: 'ami-0123456789abcdef0' } },
  ],
  outputs: {},
};

describe('what an acceptance run saw of the unconfirmed facts', () => {
  const seen = seenArtifacts(STATE, { rke2: 'v1.35.7+rke2r1' });

  it('records each image the lookups found: id, name, owner, architecture', () => {
    expect(seen.images).toEqual([
      {
        address: 'data.aws_ami.ami_lookup_0A1B2C3D',
        id: 'ami-0123456789abcdef0',
        name: 'RHEL-9.6.0_HVM-20250910-arm64-0-Hourly2-GP3',
        owner: '219670896067',
        architecture: 'arm64',
      },
    ]);
  });

  it("records the release file of the images' architecture and the sum the servers checked, with its sources", () => {
    const arm64 = RECORDED_SUMS.rke2['v1.35.7+rke2r1'].artifacts.arm64!;
    expect(seen.sums).toEqual([
      { distribution: 'rke2', version: 'v1.35.7+rke2r1', file: 'rke2.linux-arm64.tar.gz', sha256: arm64.sha256, sources: arm64.sources },
    ]);
    expect(describeSeen(seen)).toEqual([
      'image RHEL-9.6.0_HVM-20250910-arm64-0-Hourly2-GP3 (ami-0123456789abcdef0, owner 219670896067, arm64) from data.aws_ami.ami_lookup_0A1B2C3D',
      `rke2.linux-arm64.tar.gz of v1.35.7+rke2r1: checked against sha256 ${arm64.sha256}, recorded from 1 source (${arm64.sources[0]})`,
    ]);
  });

  it('says a version without a recorded sum was checked against the supplied one', () => {
    const supplied = seenArtifacts(
      { ...STATE, resources: [{ ...STATE.resources[0], attributes: { architecture: 'x86_64' } }] },
      { k3s: 'v1.36.0+k3s1' },
    );
    expect(supplied.sums).toEqual([{ distribution: 'k3s', version: 'v1.36.0+k3s1', file: 'k3s', sources: [] }]);
    expect(describeSeen(supplied)[1]).toContain('the sum the settings supplied (versions.releaseSums)');
  });

  it('puts them in the Markdown report, or why they were not read', () => {
    const report: AcceptanceReport = {
      version: 1,
      stack: 'rke-ha',
      runId: 'r1',
      name: 'acc',
      region: 'us-gov-west-1',
      startedAt: '2026-11-25T00:00:00Z',
      versions: {},
      phases: [],
      evidence: {},
      notProven: [],
      seen,
    };
    const markdown = markdownReport(report);
    expect(markdown).toContain('## Images and sums seen');
    expect(markdown).toContain('- image RHEL-9.6.0_HVM-20250910-arm64-0-Hourly2-GP3 (ami-0123456789abcdef0');
    expect(markdownReport({ ...report, seen: { unavailable: 'terraform state pull failed' } })).toContain('Not read: terraform state pull failed');
  });
});
