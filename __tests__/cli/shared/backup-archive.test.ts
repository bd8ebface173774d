import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { countObjects, readBackupFile, TarNames } from '../../../cli/shared/backup-archive';

// The names in a rancher-backup archive, read as the drill reads them: headers of the three forms a tar writer uses
// for a path (plain, USTAR prefix, PAX or GNU long-name record), file data skipped whatever its size.

const block = (n: number) => Buffer.alloc(Math.ceil(n / 512) * 512);
const octal = (n: number, width: number) => `${n.toString(8).padStart(width - 1, '0')}\0`;

function header(name: string, size: number, type: string, prefix = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(0, 12), 136);
  h.write(type, 156);
  h.write('ustar\u000000', 257, 'latin1');
  h.write(prefix, 345, 155, 'utf8');
  h.write('        ', 148);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

function entry(name: string, data: Buffer | string, type = '0', prefix = ''): Buffer {
  const bytes = Buffer.from(data);
  const padded = block(bytes.length);
  bytes.copy(padded);
  return Buffer.concat([header(name, bytes.length, type, prefix), padded]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return `${length}${body}`;
}

const LONG_NS = 'cattle-fleet-clusters-system-with-a-very-long-namespace-name-that-goes-on';
const LONG_NAME = `${'x'.repeat(90)}.json`;

/** An archive as the operator's writer lays it out, with every way of carrying a path, and a file of 3,000 bytes. */
function archive(): Buffer {
  return Buffer.concat([
    entry('clusters.management.cattle.io#v3/', '', '5'),
    entry('clusters.management.cattle.io#v3/local.json', '{"kind":"Cluster"}'),
    entry('clusters.management.cattle.io#v3/c-m-abcdef.json', 'x'.repeat(3000)),
    entry('users.management.cattle.io#v3/u-lqx8j.json', '"k8s:enc:secretbox:v1:..."'),
    entry('users.management.cattle.io#v3/user-admin.json', '{}'),
    // USTAR: a path over 100 bytes split at a slash into prefix and name.
    entry(LONG_NAME, '{}', '0', `projects.management.cattle.io#v3/${LONG_NS}`),
    // PAX: the path in an extended header before the entry.
    entry('PaxHeaders/p', paxRecord('path', `projects.management.cattle.io#v3/local/${LONG_NAME}`), 'x'),
    entry('projects.management.cattle.io#v3/local/truncated', '{}'),
    // GNU: the path as the data of an 'L' record.
    entry('././@LongLink', `settings.management.cattle.io#v3/${LONG_NAME}\0`, 'L'),
    entry('settings.management.cattle.io#v3/truncated', '{}'),
    entry('settings.management.cattle.io#v3/server-url.json', '{"value":"https://rancher.example.com"}'),
    entry('filters/filters.json', '[]'),
    Buffer.alloc(1024),
  ]);
}

const EXPECTED = {
  'clusters.management.cattle.io': 2,
  'users.management.cattle.io': 2,
  'projects.management.cattle.io': 2,
  'settings.management.cattle.io': 2,
};

describe('the names in a backup archive', () => {
  it('are read from each form of header; directories and files outside a resource folder are not objects', () => {
    const tar = new TarNames();
    tar.push(archive());
    expect(tar.names).toContain(`projects.management.cattle.io#v3/${LONG_NS}/${LONG_NAME}`);
    expect(tar.names).toContain(`projects.management.cattle.io#v3/local/${LONG_NAME}`);
    expect(tar.names).toContain(`settings.management.cattle.io#v3/${LONG_NAME}`);
    expect(tar.names).not.toContain('projects.management.cattle.io#v3/local/truncated');
    const counted = countObjects(tar.names);
    expect(Object.fromEntries(counted.objects)).toEqual(EXPECTED);
    expect(counted.files.has('settings.management.cattle.io#v3/server-url.json')).toBe(true);
  });

  it('are the same whatever the chunks the stream arrives in (one byte at a time, or blocks cut across headers)', () => {
    const whole = archive();
    for (const size of [1, 7, 511, 513, 4096]) {
      const tar = new TarNames();
      for (let i = 0; i < whole.length; i += size) tar.push(whole.subarray(i, i + size));
      expect(Object.fromEntries(countObjects(tar.names).objects)).toEqual(EXPECTED);
    }
  });

  it('stop at the end-of-archive blocks (what follows is not read as entries)', () => {
    const tar = new TarNames();
    tar.push(Buffer.concat([archive(), entry('users.management.cattle.io#v3/after-the-end.json', '{}')]));
    expect(countObjects(tar.names).objects.get('users.management.cattle.io')).toBe(2);
  });

  it('are counted from a gzip file on disk, as downloaded, and a file that is not gzip is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backup-archive-'));
    try {
      writeFileSync(join(dir, 'b.tar.gz'), gzipSync(archive()));
      const contents = await readBackupFile(join(dir, 'b.tar.gz'));
      expect(Object.fromEntries(contents.objects)).toEqual(EXPECTED);
      expect(contents.bytes).toBe(archive().length);
      writeFileSync(join(dir, 'plain.tar'), archive());
      await expect(readBackupFile(join(dir, 'plain.tar'))).rejects.toThrow('is not a gzip archive the operator wrote');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leave no descriptor open behind a refusal: a file that is not gzip, a gzip file cut short, a file that is not there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backup-archive-'));
    // The files of `dir` this process holds open (Linux: what each descriptor in /proc/self/fd links to).
    const open = () =>
      readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          const target = readlinkSync(`/proc/self/fd/${fd}`);
          return target.startsWith(dir) ? [target] : [];
        } catch {
          return []; // closed between the listing and the look (the listing's own descriptor)
        }
      });
    try {
      // Larger than a read stream's first chunk, so the file is still being read when gunzip refuses it.
      writeFileSync(join(dir, 'plain.tar'), Buffer.concat([archive(), Buffer.alloc(256 * 1024)]));
      writeFileSync(join(dir, 'cut.tar.gz'), gzipSync(archive()).subarray(0, 40));
      await expect(readBackupFile(join(dir, 'plain.tar'))).rejects.toThrow(
        /plain\.tar is not a gzip archive the operator wrote \(incorrect header check\)$/,
      );
      expect(open()).toEqual([]);
      await expect(readBackupFile(join(dir, 'cut.tar.gz'))).rejects.toThrow(
        /cut\.tar\.gz is not a gzip archive the operator wrote \(unexpected end of file\)$/,
      );
      expect(open()).toEqual([]);
      await expect(readBackupFile(join(dir, 'absent.tar.gz'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(open()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuse an archive with more entries than the bound, without reading it all', () => {
    const tar = new TarNames(3);
    expect(() => tar.push(archive())).toThrow('more than 3 files');
  });
});
