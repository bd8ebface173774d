import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateFileProblems } from '../../../app/config/certificate-file';
import { settingsSchema, type Settings } from '../../../app/config/settings-schema';
const FIELD = 'rancher.tls.certificateFile';
const NOW = new Date('2026-01-01T00:00:00Z');

/**
 * Settings through the schema alone: parseSettings would already run the
 * file check (against the working directory) and throw.
 */
function settingsWith(certificateFile: string | undefined, hostname: string | null = 'rancher.example.com', privateCA = false): Settings {
  return settingsSchema.parse({
    ...(hostname ? { hostname, hostedZone: 'example.com' } : {}),
    rancher: { tls: { issuer: 'blank', privateCA, ...(certificateFile ? { certificateFile } : {}) } },
  });
}

describe('certificateFileProblems', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'rancher-cert-file-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  describe('files that are not certificate files end in a message, not a hang', () => {
    it('a named pipe without a writer', () => {
      const fifo = join(scratch, 'cert.fifo');
      execFileSync('mkfifo', [fifo]);
      expect(certificateFileProblems(settingsWith(fifo), '/', NOW)).toEqual([
        { field: FIELD, message: 'is a named pipe (FIFO), not a regular file', value: fifo },
      ]);
    });
  });
});
