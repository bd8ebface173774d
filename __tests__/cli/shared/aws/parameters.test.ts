import { deleteParameter, readSecureParameter, writeSecureParameter } from '../../../../cli/shared/aws/parameters';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

const SECRET = 'K10abc::server:s3cr3t-token';

describe('SecureString parameters (the cluster token)', () => {
  it('are written with their key and tags, and read back decrypted with their version', async () => {
    const fake = new FakeAws();
    const clients = fake.clients();
    expect(await writeSecureParameter(clients, { name: '/d/token', value: SECRET, keyId: 'k', tags: { run: 'r1' } })).toBe(1);
    expect(fake.calls[0].input).toMatchObject({ Type: 'SecureString', KeyId: 'k', Tags: [{ Key: 'run', Value: 'r1' }] });
    expect(await readSecureParameter(clients, '/d/token')).toEqual({ value: SECRET, version: 1 });
  });

  it('are overwritten with a new version, tier and description kept as given', async () => {
    const fake = new FakeAws();
    const clients = fake.clients();
    await writeSecureParameter(clients, { name: '/d/token', value: 'old', keyId: 'k' });
    expect(
      await writeSecureParameter(clients, { name: '/d/token', value: SECRET, keyId: 'k', overwrite: true, tier: 'Standard', description: 'token' }),
    ).toBe(2);
    expect(fake.calls.at(-1)?.input).toMatchObject({ Overwrite: true, Tier: 'Standard', Description: 'token' });
    expect((await readSecureParameter(clients, '/d/token'))?.value).toBe(SECRET);
  });

  it('are refused with tags and overwrite together before anything is sent (SSM refuses them)', async () => {
    const fake = new FakeAws();
    await expect(
      writeSecureParameter(fake.clients(), { name: '/d/t', value: SECRET, keyId: 'k', overwrite: true, tags: { a: 'b' } }),
    ).rejects.toThrow('/d/t: SSM refuses tags with Overwrite');
    expect(fake.calls).toEqual([]);
  });

  it("never put the value in an error's message", async () => {
    const fake = new FakeAws();
    const clients = fake.clients();
    await writeSecureParameter(clients, { name: '/d/t', value: 'first', keyId: 'k' });
    const failed = await writeSecureParameter(clients, { name: '/d/t', value: SECRET, keyId: 'k' }).catch((e: Error) => e);
    expect(failed).toMatchObject({ name: 'ParameterAlreadyExists' });
    expect(`${String(failed)} ${JSON.stringify(failed)}`).not.toContain(SECRET);
  });

  it('read as undefined when missing, and deleting a missing one is false', async () => {
    const fake = new FakeAws();
    const clients = fake.clients();
    expect(await readSecureParameter(clients, '/nope')).toBeUndefined();
    await writeSecureParameter(clients, { name: '/d/t', value: SECRET, keyId: 'k' });
    expect(await deleteParameter(clients, '/d/t')).toBe(true);
    expect(await deleteParameter(clients, '/d/t')).toBe(false);
  });
});
