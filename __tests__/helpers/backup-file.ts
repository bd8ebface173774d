import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBounded } from './subprocess';

/** A file name the rancher-backup operator writes (Backup name, kube-system uid, time): the tests' restore source. */
export const RESTORE_FILE = 'rancher-aws-scheduled-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00Z.tar.gz.enc';

/**
 * The newest backup: the operator's layout (resource folders, namespaced ones a level deeper), packed by GNU tar;
 * `files` adds objects by their path in the archive (`secrets.#v1/cattle-system/tls-rancher.json`).
 */
export function writeBackup(dir: string, counts: Readonly<Record<string, number>>, files: readonly string[] = []): string {
  const src = join(dir, 'backup-src');
  const folders: string[] = [];
  for (const [kind, n] of Object.entries(counts)) {
    const folder = `${kind}#v3`;
    folders.push(folder);
    for (let i = 0; i < n; i++) {
      const namespaced = kind.startsWith('projects');
      const path = join(src, folder, ...(namespaced ? [`c-m-${i % 2}`] : []));
      mkdirSync(path, { recursive: true });
      const name = kind.startsWith('settings') && i === 0 ? 'server-url' : `object-${i}`;
      writeFileSync(join(path, `${name}.json`), '"k8s:enc:secretbox:v1:key:ciphertext"');
    }
  }
  for (const file of files) {
    mkdirSync(join(src, file, '..'), { recursive: true });
    writeFileSync(join(src, file), '"k8s:enc:secretbox:v1:key:ciphertext"');
    if (!folders.includes(file.split('/')[0])) folders.push(file.split('/')[0]);
  }
  mkdirSync(join(src, 'filters'));
  writeFileSync(join(src, 'filters', 'filters.json'), '[]');
  const file = join(dir, 'backup.tar.gz');
  const tar = runBounded('tar', ['--format=pax', '-czf', file, '-C', src, ...folders, 'filters']);
  if (tar.status !== 0) throw new Error(tar.stderr);
  return file;
}
