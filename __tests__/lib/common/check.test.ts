import { addCheck } from '../../../lib/common/private/check';
import { synthConstruct } from '../../helpers/synth';

describe('addCheck', () => {
  it('writes a check block of assertions only, in Terraform names, at the root', () => {
    const { json } = synthConstruct((stack) =>
      addCheck(stack, 'servers_up_to_date', [
        { condition: '${1 == 1}', errorMessage: 'one' },
        { condition: '${2 == 2}', errorMessage: 'two ${var.x}' },
      ]),
    );
    expect((json as any).check).toEqual({
      servers_up_to_date: {
        assert: [
          { condition: '${1 == 1}', error_message: 'one' },
          { condition: '${2 == 2}', error_message: 'two ${var.x}' },
        ],
      },
    });
  });

  it('refuses a check without an assertion, as Terraform 1.11 does ("Zero assert blocks")', () => {
    expect(() => synthConstruct((stack) => addCheck(stack, 'empty', []))).toThrow('check empty: a check needs at least one assertion');
  });
});
