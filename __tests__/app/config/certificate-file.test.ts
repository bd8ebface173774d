import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { certificateFileProblems } from '../../../app/config/certificate-file';
import { SettingsError } from '../../../lib/config/errors';
import { parseSettings } from '../../../app/config/load';
import { settingsSchema, type Settings } from '../../../app/config/settings-schema';

const FIXTURES = resolve(__dirname, '../../fixtures');
const CERTS = join(FIXTURES, 'certs');
const FIELD = 'rancher.tls.certificateFile';
const NOW = new Date('2026-01-01T00:00:00Z');
const YEAR_2200 = new Date('2200-01-01T00:00:00Z');

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

const pem = (name: string) => readFileSync(join(CERTS, `${name}.pem`), 'utf8');
const FAKE_KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n';

describe('certificateFileProblems', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'rancher-cert-file-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    writeFileSync(join(scratch, name), text);
    return name;
  };

  it('checks nothing without a certificateFile', () => {
    expect(certificateFileProblems(settingsWith(undefined), '/nonexistent', YEAR_2200)).toEqual([]);
  });

  it('passes a certificate that names the hostname and has not expired', () => {
    expect(certificateFileProblems(settingsWith(join(CERTS, 'rancher.example.com.pem')), '/', NOW)).toEqual([]);
  });

  it('passes a wildcard certificate covering the hostname', () => {
    expect(certificateFileProblems(settingsWith(join(CERTS, 'wildcard.example.com.pem')), '/', NOW)).toEqual([]);
  });

  it('refuses a wildcard certificate for a hostname one label deeper', () => {
    const problems = certificateFileProblems(settingsWith(join(CERTS, 'wildcard.example.com.pem'), 'a.rancher.example.com'), '/', NOW);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toContain('*.example.com');
  });

  it('passes a bundle (leaf first, then intermediates) by its leaf', () => {
    const file = write('bundle.pem', pem('rancher.example.com') + pem('other.example.org'));
    expect(certificateFileProblems(settingsWith(file), scratch, NOW)).toEqual([]);
  });

  it('refuses a certificate for another host, naming the hostname and the names in the certificate', () => {
    const file = join(CERTS, 'other.example.org.pem');
    expect(certificateFileProblems(settingsWith(file), '/', NOW)).toEqual([
      { field: FIELD, message: 'does not name hostname "rancher.example.com" (it names: DNS:other.example.org)', value: file },
    ]);
  });

  it('refuses a missing file, with the path as given', () => {
    expect(certificateFileProblems(settingsWith('no-such.pem'), scratch, NOW)).toEqual([
      { field: FIELD, message: 'file not found', value: 'no-such.pem' },
    ]);
  });

  it.each([
    ['PKCS#8', FAKE_KEY],
    ['RSA', FAKE_KEY.replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY')],
    ['EC', FAKE_KEY.replace(/PRIVATE KEY/g, 'EC PRIVATE KEY')],
    ['encrypted', FAKE_KEY.replace(/PRIVATE KEY/g, 'ENCRYPTED PRIVATE KEY')],
  ])('refuses a file holding a %s private key next to the certificate', (kind, key) => {
    const file = write(`with-key-${kind.replace(/\W/g, '')}.pem`, pem('rancher.example.com') + key);
    const problems = certificateFileProblems(settingsWith(file), scratch, NOW);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: FIELD, value: file });
    expect(problems[0].message).toMatch(/only the certificate/);
    expect(problems[0].message).toContain('tls_private_key_pem');
    // The key itself is never repeated in the message.
    expect(JSON.stringify(problems)).not.toContain('MC4CAQ');
  });

  it('refuses a file holding only a private key', () => {
    const file = write('key-only.pem', FAKE_KEY);
    expect(certificateFileProblems(settingsWith(file), scratch, NOW)[0].message).toContain('tls_private_key_pem');
  });

  it.each([
    ['garbage', 'this is not a certificate\n'],
    ['an empty file', ''],
    ['a truncated PEM', pem('rancher.example.com').slice(0, 200)],
  ])('refuses %s as not a PEM certificate', (_what, text) => {
    const file = write(`bad-${_what.replace(/\W/g, '')}.pem`, text);
    expect(certificateFileProblems(settingsWith(file), scratch, NOW)).toEqual([{ field: FIELD, message: 'not a PEM certificate', value: file }]);
  });

  it('refuses an expired certificate, judged at `now`', () => {
    const file = join(CERTS, 'rancher.example.com.pem');
    const problems = certificateFileProblems(settingsWith(file), '/', YEAR_2200);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: FIELD, value: file });
    expect(problems[0].message).toMatch(/^expired on .*2126/);
  });

  it('reports a wrong name and an expiry together', () => {
    const problems = certificateFileProblems(settingsWith(join(CERTS, 'other.example.org.pem')), '/', YEAR_2200);
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^does not name hostname/), expect.stringMatching(/^expired on/)]);
  });

  it('without a hostname (a Terraform variable then) checks the expiry only', () => {
    const file = join(CERTS, 'other.example.org.pem');
    expect(certificateFileProblems(settingsWith(file, null), '/', NOW)).toEqual([]);
    const problems = certificateFileProblems(settingsWith(file, null), '/', YEAR_2200);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/^expired on/);
  });

  it('resolves a relative path against baseDir, not the working directory', () => {
    expect(certificateFileProblems(settingsWith('certs/rancher.example.com.pem'), FIXTURES, NOW)).toEqual([]);
    expect(certificateFileProblems(settingsWith('rancher.example.com.pem'), CERTS, NOW)).toEqual([]);
    expect(certificateFileProblems(settingsWith('certs/rancher.example.com.pem'), scratch, NOW)).toEqual([
      { field: FIELD, message: 'file not found', value: 'certs/rancher.example.com.pem' },
    ]);
  });

  describe('a self-signed certificate', () => {
    const file = join(CERTS, 'self-signed.rancher.example.com.pem');

    it('is refused without privateCA: the final /ping check trusts public roots only', () => {
      expect(certificateFileProblems(settingsWith(file), '/', NOW)).toEqual([
        { field: FIELD, message: expect.stringContaining('is self-signed'), value: file },
      ]);
      expect(certificateFileProblems(settingsWith(file), '/', NOW)[0].message).toContain('privateCA: true');
    });

    it('is accepted with privateCA: true', () => {
      expect(certificateFileProblems(settingsWith(file, 'rancher.example.com', true), '/', NOW)).toEqual([]);
    });

    it('is not confused with a certificate signed by another CA (the fixtures are signed by a test CA)', () => {
      expect(certificateFileProblems(settingsWith(join(CERTS, 'rancher.example.com.pem')), '/', NOW)).toEqual([]);
    });
  });

  describe('files that are not certificate files end in a message, not a hang', () => {
    it.each([
      ['a directory', () => scratch, 'is a directory, not a regular file'],
      ['a character device (/dev/zero)', () => '/dev/zero', 'is a character device, not a regular file'],
      ['an environment dump (/proc/self/environ)', () => '/proc/self/environ', 'is a binary file (it holds NUL bytes), not text'],
    ])('%s', (_what, path, message) => {
      expect(certificateFileProblems(settingsWith(path()), '/', NOW)).toEqual([{ field: FIELD, message, value: path() }]);
    });

    it('a file over 128 KiB', () => {
      const file = write('huge.pem', 'x'.repeat(128 * 1024 + 1));
      expect(certificateFileProblems(settingsWith(file), scratch, NOW)).toEqual([
        { field: FIELD, message: 'is 131,073 bytes, larger than the limit of 128 KiB (131,072 bytes)', value: file },
      ]);
    });
  });

  it('defaults `now` to the current time', () => {
    expect(certificateFileProblems(settingsWith(join(CERTS, 'rancher.example.com.pem')), '/')).toEqual([]);
  });

  describe('through parseSettings', () => {
    const input = (certificateFile: string) => ({
      hostname: 'rancher.example.com',
      hostedZone: 'example.com',
      rancher: { tls: { issuer: 'blank', certificateFile } },
    });

    it('accepts a matching certificate relative to the settings folder', () => {
      expect(parseSettings(input('certs/wildcard.example.com.pem'), 'test', FIXTURES).rancher.tls.certificateFile).toBe(
        'certs/wildcard.example.com.pem',
      );
    });

    it('throws a SettingsError naming the field for a wrong host', () => {
      let error: unknown;
      try {
        parseSettings(input('certs/other.example.org.pem'), 'test', FIXTURES);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SettingsError);
      expect((error as SettingsError).problems).toEqual([
        {
          field: FIELD,
          message: 'does not name hostname "rancher.example.com" (it names: DNS:other.example.org)',
          value: 'certs/other.example.org.pem',
        },
      ]);
    });

    it('does not read the file when the settings are otherwise invalid', () => {
      // The schema refuses certificateFile for issuer ca first; the missing file is never reported.
      expect(() => parseSettings({ rancher: { tls: { issuer: 'ca', certificateFile: 'missing.pem' } } }, 'test', FIXTURES)).toThrow(
        /applies to issuer blank only/,
      );
      expect(() => parseSettings({ rancher: { tls: { issuer: 'ca', certificateFile: 'missing.pem' } } }, 'test', FIXTURES)).not.toThrow(
        /file not found/,
      );
    });
  });
});
