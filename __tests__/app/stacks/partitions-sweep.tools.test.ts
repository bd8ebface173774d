import { foreignInStack, showHits } from '../../helpers/partition-scan';
import { PARTITION_SAMPLE, PARTITION_VARIANTS, synthInPartition } from '../../helpers/partition-variants';

/**
 * Issue 38.1, the whole matrix: every stack variant synthesized for a region of China and of GovCloud holds no ARN,
 * DNS suffix, region name or image owner of another partition. In the tools tier although it starts no process: 98
 * synths (about 13 s of CPU) the unit tier's edit-and-test loop does without; the unit tier scans every variant in
 * the commercial partition and a sample in the other two (partitions.test.ts), which this leaves out: CI runs both.
 */
const REST = PARTITION_VARIANTS.filter((v) => !PARTITION_SAMPLE.includes(v.name));

describe.each(['aws-cn', 'aws-us-gov'] as const)('every stack variant in %s (the unit tier has the sample)', (partition) => {
  it('leaves out only the sample (the filter works)', () => {
    expect(PARTITION_VARIANTS.length - REST.length).toBe(PARTITION_SAMPLE.length);
  });

  test.each(REST.map((v) => [v.name, v] as const))('%s', (_name, variant) => {
    expect(showHits(foreignInStack(synthInPartition(variant, partition).json, partition))).toEqual([]);
  });
});
