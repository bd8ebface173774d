import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SettingsProblem } from './errors';
import type { Settings } from './schema';

const FIELD = 'rancher.tls.certificateFile';

/**
 * Synth-time check of a user certificate named in the settings (issuer
 * `blank`): it must be a public certificate that names the Rancher hostname
 * and has not expired. Only read here; the certificate reaches Terraform
 * through the `tls_certificate_pem` variable, never through the output.
 */
export function certificateFileProblems(settings: Settings, baseDir: string, now = new Date()): SettingsProblem[] {
  const file = settings.rancher.tls.certificateFile;
  if (file === undefined) return [];
  const path = resolve(baseDir, file);
  if (!existsSync(path)) return [{ field: FIELD, message: 'file not found', value: file }];

  const text = readFileSync(path, 'utf8');
  if (/PRIVATE KEY-----/.test(text)) {
    return [{ field: FIELD, message: 'must hold only the certificate; give the key as the tls_private_key_pem Terraform variable', value: file }];
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(text);
  } catch {
    return [{ field: FIELD, message: 'not a PEM certificate', value: file }];
  }

  const problems: SettingsProblem[] = [];
  // Subject alternative names only: TLS clients (Go's included, which runs the
  // deploy's final probe) ignore the Common Name.
  if (settings.hostname && certificate.checkHost(settings.hostname, { subject: 'never' }) === undefined) {
    const names = certificate.subjectAltName ?? 'no DNS names, only a Common Name';
    problems.push({ field: FIELD, message: `does not name hostname "${settings.hostname}" (it names: ${names})`, value: file });
  }
  if (new Date(certificate.validTo) <= now) {
    problems.push({ field: FIELD, message: `expired on ${certificate.validTo}`, value: file });
  }
  return problems;
}
