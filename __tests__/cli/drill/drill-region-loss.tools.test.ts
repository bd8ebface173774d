import { checkEveryDrill, drillHere, reportOf, world } from '../../helpers/drill-world';
import { awsCallsByRegion, loseRegion, STATE_BACKEND } from '../../helpers/region-loss-world';

// `npm run drill -- rke-ha --standby` in the region-loss world (helpers/region-loss-world.ts): production's region
// eu-west-1 lost, no endpoint of it answering. The drill rehearses the failover, so it meets what the failover meets:
// production's state (a local file, or the S3 backend docs/deploy.md recommends, in the lost region), the standby's
// copy in us-west-2. Driven in this process (drillHere: the fake AWS behind the SDK's clients, from the world). After
// every test, drill-world.ts's checks: no AWS call outside the standby region, production's buckets and state as they
// were. A case the product does not pass yet is `test.failing`, its assertion what issue 91 asks for.

checkEveryDrill();

describe('npm run drill -- rke-ha --standby with eu-west-1 lost', () => {
  test("production's state a local file: the drill passes, every AWS call in us-west-2", async () => {
    const c = world(loseRegion(), 'standby');
    const result = await drillHere(c, { standby: true });
    expect({ code: result.code, passed: reportOf(c).passed }).toEqual({ code: 0, passed: true });
    // The copy read, the throwaway torn down: every call to us-west-2's endpoints.
    expect(awsCallsByRegion(c)).toEqual([
      'us-west-2 ElasticLoadBalancingV2 ModifyLoadBalancerAttributes',
      'us-west-2 KMS ScheduleKeyDeletion',
      'us-west-2 S3 DeleteBucket',
      'us-west-2 S3 DeleteObjects',
      'us-west-2 S3 GetObject',
      'us-west-2 S3 ListObjectVersions',
      'us-west-2 S3 ListObjectsV2',
      'us-west-2 SSM GetParameter',
    ]);
  });

  // issue 91 item 1: failed (production's state pulled from its backend in the lost region) until the drill read
  // production's facts in the standby region, as the failover does (cli/shared/standby-facts.ts).
  test("production's state in an S3 backend in eu-west-1: the drill reads nothing from it, and passes", async () => {
    const c = world(loseRegion(), 'standby', { productionBackend: STATE_BACKEND });
    const result = await drillHere(c, { standby: true });
    expect(awsCallsByRegion(c).filter((call) => call.startsWith('eu-west-1'))).toEqual([]);
    expect(result.code).toBe(0);
  });
});
