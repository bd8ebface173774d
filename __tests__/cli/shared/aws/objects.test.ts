import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyObject, downloadObject, listObjects, objectUnreadable } from '../../../../cli/shared/aws/objects';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

function cloud() {
  const fake = new FakeAws();
  fake.s3.createBucket('prod');
  fake.s3.createBucket('drill');
  for (const name of ['a', 'b', 'c', 'd', 'e']) fake.s3.put('prod', `rancher/${name}.tar.gz`, `backup ${name}`);
  fake.s3.put('prod', 'etcd/on-demand 1.zip', 'snapshot');
  fake.s3.deleteKey('prod', 'rancher/c.tar.gz');
  return { fake, clients: fake.clients() };
}

describe('objects of the backup buckets', () => {
  it('are listed under a prefix over every page, without deleted keys', async () => {
    const { fake, clients } = cloud();
    const listed = await listObjects(clients, 'prod', 'rancher/');
    expect(listed.map((o) => [o.key, o.size])).toEqual([
      ['rancher/a.tar.gz', 8],
      ['rancher/b.tar.gz', 8],
      ['rancher/d.tar.gz', 8],
      ['rancher/e.tar.gz', 8],
    ]);
    expect(fake.count('S3 ListObjectsV2')).toBe(2);
  });

  it('are downloaded to a file', async () => {
    const { clients } = cloud();
    const dir = mkdtempSync(join(tmpdir(), 'objects-'));
    try {
      await downloadObject(clients, 'prod', 'rancher/b.tar.gz', join(dir, 'b'));
      expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('backup b');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("tell why one cannot be read, in S3's words, by reading one byte", async () => {
    const { fake, clients } = cloud();
    fake.s3.buckets.get('prod')!.unreadable.add('rancher/a.tar.gz');
    expect(await objectUnreadable(clients, 'prod', 'rancher/b.tar.gz')).toBeUndefined();
    expect(fake.calls.at(-1)?.input.Range).toBe('bytes=0-0');
    expect(await objectUnreadable(clients, 'prod', 'rancher/a.tar.gz')).toBe('AccessDenied: Access Denied');
    expect(await objectUnreadable(clients, 'prod', 'rancher/zz')).toMatch(/^NoSuchKey: /);
  });

  it('are copied server-side, the source key URL-encoded and the copy encrypted with SSE-S3', async () => {
    const { fake, clients } = cloud();
    await copyObject(clients, { bucket: 'prod', key: 'etcd/on-demand 1.zip' }, { bucket: 'drill', key: 'restore/on-demand 1.zip' });
    expect(fake.calls.at(-1)?.input).toMatchObject({ CopySource: 'prod/etcd/on-demand%201.zip', ServerSideEncryption: 'AES256' });
    expect((await listObjects(clients, 'drill', 'restore/')).map((o) => o.key)).toEqual(['restore/on-demand 1.zip']);
  });
});
