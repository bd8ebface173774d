import { RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR } from '../../../lib/config/primitives';
import { outsideRanges } from '../../../lib/network/private/network-conditions';
import { describeWithTerraform } from '../../helpers/terraform';

describeWithTerraform('outsideRanges, evaluated by terraform, agrees with the synth-time overlap test', () => {
  const reserved = [RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR];

  it('merges adjacent ranges into one comparison', () => {
    expect(outsideRanges('self.cidr_block', reserved).match(/<=/g)).toHaveLength(1);
    expect(outsideRanges('self.cidr_block', ['10.42.0.0/16', '192.168.0.0/16']).match(/<=/g)).toHaveLength(2);
  });
});
