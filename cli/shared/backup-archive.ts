import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/**
 * What a rancher-backup file holds, counted from the names in it. The operator (backup-restore-operator v10.0.8,
 * `pkg/resourcesets/collector.go` and `pkg/controllers/backup/upload.go`) writes one JSON file per object,
 * `<resource>.<group>#<version>/<name>.json`, or `<resource>.<group>#<version>/<namespace>/<name>.json` for a
 * namespaced kind, and packs the folder with Go's archive/tar and gzip; the `.enc` files are the same archive with
 * each object encrypted inside. The names are never encrypted, so the objects of a kind are counted without the key.
 */
export interface BackupContents {
  /** Objects per resource, `clusters.management.cattle.io` (the `#<version>` left out). */
  readonly objects: ReadonlyMap<string, number>;
  /** Every object file of the archive (`<resource>#<version>/[<namespace>/]<name>.json`). */
  readonly files: ReadonlySet<string>;
  /** Bytes read after decompression (the archive's own size, headers included). */
  readonly bytes: number;
}

const BLOCK = 512;

/** An octal (or, past its width, GNU base-256) number field of a tar header. */
function numberField(header: Buffer, start: number, length: number): number {
  if (header[start] & 0x80) {
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + header[i];
    return value;
  }
  const text = header
    .toString('latin1', start, start + length)
    .replace(/\0.*$/s, '')
    .trim();
  return text === '' ? 0 : parseInt(text, 8);
}

const textField = (header: Buffer, start: number, length: number) => {
  const end = header.indexOf(0, start);
  return header.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
};

/** The `path` record of a PAX extended header (`<length> path=<value>\n` records). */
function paxPath(data: Buffer): string | undefined {
  let offset = 0;
  let path: string | undefined;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = parseInt(data.toString('latin1', offset, space), 10);
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.toString('utf8', space + 1, offset + length - 1);
    if (record.startsWith('path=')) path = record.slice('path='.length);
    offset += length;
  }
  return path;
}

/**
 * Reads a tar stream chunk by chunk and keeps only the names of its regular files: the data of every file is
 * skipped, but the small records that carry a long name (PAX `x`, GNU `L`), which Go's archive/tar writes for a
 * name past 100 bytes.
 */
export class TarNames {
  readonly names: string[] = [];
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of the current entry's data still to skip (or to collect, for a long-name record). */
  private remaining = 0;
  private padding = 0;
  private collect: { kind: 'pax' | 'gnu'; parts: Buffer[] } | undefined;
  private nextName: string | undefined;
  private ended = false;
  bytes = 0;

  constructor(private readonly maxEntries = 1_000_000) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.ended) return;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    for (;;) {
      if (this.remaining > 0 || this.padding > 0) {
        const data = Math.min(this.remaining, this.pending.length - offset);
        if (this.collect && data > 0) this.collect.parts.push(this.pending.subarray(offset, offset + data));
        this.remaining -= data;
        offset += data;
        if (this.remaining > 0) break;
        if (this.collect) this.finishRecord();
        const pad = Math.min(this.padding, this.pending.length - offset);
        this.padding -= pad;
        offset += pad;
        if (this.padding > 0) break;
      }
      if (this.pending.length - offset < BLOCK) break;
      const header = this.pending.subarray(offset, offset + BLOCK);
      offset += BLOCK;
      if (header.every((b) => b === 0)) {
        // The end of the archive: two zero blocks (one is enough to stop reading names).
        this.ended = true;
        break;
      }
      this.header(header);
    }
    this.pending = this.pending.subarray(offset);
  }

  private header(header: Buffer): void {
    const size = numberField(header, 124, 12);
    const type = String.fromCharCode(header[156] || 0x30);
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (type === 'x' || type === 'L') {
      if (size > 1024 * 1024) throw new Error(`a ${type === 'x' ? 'PAX' : 'GNU long-name'} record of ${size} bytes: not a backup archive`);
      this.collect = { kind: type === 'x' ? 'pax' : 'gnu', parts: [] };
      if (size === 0) this.finishRecord();
      return;
    }
    const magic = header.toString('latin1', 257, 262);
    const prefix = magic === 'ustar' && header[263] === 0x30 ? textField(header, 345, 155) : '';
    const name = this.nextName ?? (prefix ? `${prefix}/${textField(header, 0, 100)}` : textField(header, 0, 100));
    this.nextName = undefined;
    if (type === '0' || type === '\0' || type === '7') {
      if (this.names.length >= this.maxEntries) throw new Error(`more than ${this.maxEntries} files: not a backup archive this command reads`);
      this.names.push(name);
    }
  }

  private finishRecord(): void {
    const data = Buffer.concat(this.collect!.parts);
    this.nextName = this.collect!.kind === 'pax' ? (paxPath(data) ?? this.nextName) : data.toString('utf8').replace(/\0+$/, '');
    this.collect = undefined;
  }
}

/** Objects per resource from the names of an archive's files (see BackupContents). */
export function countObjects(names: readonly string[]): BackupContents {
  const objects = new Map<string, number>();
  const files = new Set<string>();
  for (const raw of names) {
    const name = raw.replace(/^\.\//, '');
    const parts = name.split('/');
    if (!parts[0].includes('#') || !name.endsWith('.json') || parts.length < 2 || parts.length > 3) continue;
    const resource = parts[0].slice(0, parts[0].indexOf('#'));
    files.add(name);
    objects.set(resource, (objects.get(resource) ?? 0) + 1);
  }
  return { objects, files, bytes: 0 };
}

/**
 * Reads a downloaded backup file (gzip, then tar) and counts its objects. Through `pipeline`, which destroys every
 * stream when one fails, and settled only once the file is closed (pipeline may settle first): a file that is not
 * gzip, or an archive past the entry bound, leaves no descriptor open behind the refusal (piped by hand, the file's
 * read stream stayed open).
 */
export async function readBackupFile(path: string): Promise<BackupContents> {
  const tar = new TarNames();
  const names = new Writable({
    write(chunk: Buffer, _encoding, next) {
      try {
        tar.push(chunk);
        next();
      } catch (error) {
        next(error as Error);
      }
    },
  });
  const file = createReadStream(path);
  try {
    await pipeline(file, createGunzip(), names);
  } catch (error) {
    // Not events.once: the file's stream was destroyed with the error, which once() would throw again.
    if (!file.closed) await new Promise<void>((closed) => file.once('close', () => closed()));
    // zlib's errors carry its codes (Z_DATA_ERROR, Z_BUF_ERROR for a file cut short); the file's and the tar's pass as they are.
    const { code, message } = error as NodeJS.ErrnoException;
    if (String(code).startsWith('Z_')) throw new Error(`${path} is not a gzip archive the operator wrote (${message})`, { cause: error });
    throw error;
  }
  return { ...countObjects(tar.names), bytes: tar.bytes };
}
