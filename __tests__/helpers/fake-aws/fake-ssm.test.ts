import { FakeSsm } from './fake-ssm';

const SEND = { DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-1'], Parameters: { commands: ['true'] } };

describe('the fake SSM', () => {
  it('has no invocation for the first looks after SendCommand, then InProgress, then the result', () => {
    const ssm = new FakeSsm(() => 2);
    ssm.hiddenLooks = 2;
    ssm.runningLooks = 1;
    ssm.register('i-1', () => ({ status: 'Success', stdout: 'ok' }));
    const id = ssm.handlers.SendCommand(SEND).Command.CommandId;
    const get = () => ssm.handlers.GetCommandInvocation({ CommandId: id, InstanceId: 'i-1' });
    expect(get).toThrow(expect.objectContaining({ name: 'InvocationDoesNotExist' }));
    expect(get).toThrow(expect.objectContaining({ name: 'InvocationDoesNotExist' }));
    expect(get().Status).toBe('InProgress');
    expect(get()).toMatchObject({ Status: 'Success', StandardOutputContent: 'ok' });
  });

  it('refuses an instance whose agent is not registered, and any document but AWS-RunShellScript', () => {
    const ssm = new FakeSsm(() => 2);
    expect(() => ssm.handlers.SendCommand(SEND)).toThrow(expect.objectContaining({ name: 'InvalidInstanceId' }));
    ssm.register('i-1');
    expect(() => ssm.handlers.SendCommand({ ...SEND, DocumentName: 'AWS-RunPowerShellScript' })).toThrow(
      expect.objectContaining({ name: 'InvalidDocument' }),
    );
  });

  it('keeps parameters as Parameter Store does: versions, no overwrite without asking, no tags with overwrite', () => {
    const ssm = new FakeSsm(() => 2);
    expect(ssm.handlers.PutParameter({ Name: '/p', Value: 'a', Type: 'SecureString', Tags: [{ Key: 'k', Value: 'v' }] }).Version).toBe(1);
    expect(() => ssm.handlers.PutParameter({ Name: '/p', Value: 'b', Type: 'SecureString' })).toThrow(
      expect.objectContaining({ name: 'ParameterAlreadyExists' }),
    );
    expect(() => ssm.handlers.PutParameter({ Name: '/p', Value: 'b', Overwrite: true, Tags: [{ Key: 'k', Value: 'v' }] })).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    );
    expect(ssm.handlers.PutParameter({ Name: '/p', Value: 'b', Overwrite: true }).Version).toBe(2);
    expect(ssm.handlers.GetParameter({ Name: '/p' }).Parameter.Value).not.toBe('b');
    expect(ssm.handlers.GetParameter({ Name: '/p', WithDecryption: true }).Parameter).toMatchObject({ Value: 'b', Version: 2 });
    ssm.handlers.DeleteParameter({ Name: '/p' });
    expect(() => ssm.handlers.DeleteParameter({ Name: '/p' })).toThrow(expect.objectContaining({ name: 'ParameterNotFound' }));
  });

  it("answers a String parameter's value whether or not decryption is asked for", () => {
    const ssm = new FakeSsm(() => 2);
    ssm.handlers.PutParameter({ Name: '/s', Value: 's3://copy/facts.json', Type: 'String' });
    expect(ssm.handlers.GetParameter({ Name: '/s' }).Parameter).toMatchObject({ Type: 'String', Value: 's3://copy/facts.json' });
    ssm.handlers.PutParameter({ Name: '/s', Value: 's3://other/facts.json', Overwrite: true });
    expect(ssm.handlers.GetParameter({ Name: '/s' }).Parameter).toMatchObject({ Type: 'String', Value: 's3://other/facts.json' });
  });

  it('tags an existing parameter with AddTagsToResource: each key added or its value overwritten; a missing one or another type refused', () => {
    const ssm = new FakeSsm(() => 2);
    ssm.handlers.PutParameter({ Name: '/t', Value: 'x', Type: 'String', Tags: [{ Key: 'a', Value: '1' }] });
    ssm.handlers.PutParameter({ Name: '/t', Value: 'y', Overwrite: true });
    ssm.handlers.AddTagsToResource({
      ResourceType: 'Parameter',
      ResourceId: '/t',
      Tags: [
        { Key: 'a', Value: '2' },
        { Key: 'b', Value: '3' },
      ],
    });
    expect(ssm.parameters.get('/t')?.tags).toEqual([
      { Key: 'a', Value: '2' },
      { Key: 'b', Value: '3' },
    ]);
    expect(() => ssm.handlers.AddTagsToResource({ ResourceType: 'Parameter', ResourceId: '/none', Tags: [] })).toThrow(
      expect.objectContaining({ name: 'InvalidResourceId' }),
    );
    expect(() => ssm.handlers.AddTagsToResource({ ResourceType: 'Document', ResourceId: '/t', Tags: [] })).toThrow(
      expect.objectContaining({ name: 'InvalidResourceType' }),
    );
  });
});
