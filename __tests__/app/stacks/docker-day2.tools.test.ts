import { refusals } from '../../helpers/guard';
import { describeWithTerraform } from '../../helpers/terraform';
import { synth, SWITCHES } from './docker-day2.setup';

describeWithTerraform('docker day 2: the switch is not refused at plan time', () => {
  it.each(SWITCHES)('%s', (_name, before, after) => {
    expect(refusals(synth(before), synth(after))).toEqual([]);
  });
});
