import { generatedNameProblems, generatedNames, nameProblem } from '../../../lib/config/resource-names';

/** The longest name the settings accept. */
const LONGEST = 'a234567890123456';

describe('resource names built from settings.name', () => {
  it('lets the longest accepted name fit every resource', () => {
    expect(nameProblem(LONGEST)).toBeUndefined();
    expect(generatedNameProblems(LONGEST)).toEqual([]);
    // The ALB target group is the longest name, exactly at its 32-character limit.
    expect(generatedNames(LONGEST).find((n) => n.resource === 'ALB target group')!.value).toHaveLength(32);
  });

  it('would refuse a name one character longer through the resource it overflows', () => {
    expect(generatedNameProblems(`${LONGEST}7`)).toEqual([
      'makes the rke-ha ALB target group "a2345678901234567-rke-ha-alb-http", and a target group name may have at most 32 characters',
    ]);
  });
});
