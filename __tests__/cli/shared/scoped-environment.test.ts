import { keepingEnvironment, withEnvironment } from '../../../cli/shared/scoped-environment';

// The restore's TF_VAR_ is set for one step alone (the failover's apply, the standby's teardown), then put back as the
// caller had it: unset stays unset, a value of the caller's comes back, a thrown step restores it too.

const NAME = 'TF_VAR_scoped_environment_test';
afterEach(() => delete process.env[NAME]);

describe('withEnvironment', () => {
  it('sets the variable during the step and unsets it after, when the caller had none', async () => {
    let seen: string | undefined;
    expect(await withEnvironment({ [NAME]: 'secret' }, () => ((seen = process.env[NAME]), 7))).toBe(7);
    expect(seen).toBe('secret');
    expect(NAME in process.env).toBe(false);
  });

  it("puts the caller's own value back, after a step that threw as after one that passed", async () => {
    process.env[NAME] = 'the caller s';
    await expect(
      withEnvironment({ [NAME]: 'secret' }, async () => {
        throw new Error('apply failed');
      }),
    ).rejects.toThrow('apply failed');
    expect(process.env[NAME]).toBe('the caller s');
    await withEnvironment({ [NAME]: 'secret' }, () => undefined);
    expect(process.env[NAME]).toBe('the caller s');
  });

  it('leaves a variable given no value as it is', async () => {
    process.env[NAME] = 'the caller s';
    await withEnvironment({ [NAME]: undefined }, () => expect(process.env[NAME]).toBe('the caller s'));
    expect(process.env[NAME]).toBe('the caller s');
  });
});

describe('keepingEnvironment', () => {
  it("puts back what the step set itself: unset stays unset, the caller's value comes back, a thrown step too", async () => {
    await keepingEnvironment([NAME], async () => {
      process.env[NAME] = 'set by the step';
    });
    expect(NAME in process.env).toBe(false);
    process.env[NAME] = 'the caller s';
    await expect(
      keepingEnvironment([NAME], () => {
        process.env[NAME] = 'set by the step';
        throw new Error('restore failed');
      }),
    ).rejects.toThrow('restore failed');
    expect(process.env[NAME]).toBe('the caller s');
  });
});
