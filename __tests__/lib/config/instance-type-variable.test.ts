import { synthSettings } from '../../helpers/variants';

describe('instance_type (issue 22: a pipeline knob)', () => {
  it('k8s-ha has none: it creates no instance', () => {
    expect(synthSettings('k8s-ha', {}).json.variable!.instance_type).toBeUndefined();
  });
});
