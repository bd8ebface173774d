import { X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import type { SettingsProblem } from '../../lib/config/errors';
import type { Settings } from './settings-schema';
import { readBoundedTextFile } from './settings-file';

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
  const read = readBoundedTextFile(path);
  if (read.problem !== undefined) return [{ field: FIELD, message: read.missing ? 'file not found' : read.problem, value: file }];
  const text = read.text;
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
  // The deploy ends by checking /ping against public roots unless privateCA says which CA to trust.
  if (!settings.rancher.tls.privateCA && isSelfSigned(certificate)) {
    problems.push({
      field: FIELD,
      message:
        'is self-signed, which no public root trusts: set rancher.tls.privateCA: true and pass the certificate itself as tls_ca_certificate_pem, or the final /ping check fails after a full deploy',
      value: file,
    });
  }
  return problems;
}

function isSelfSigned(certificate: X509Certificate): boolean {
  try {
    return certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey);
  } catch {
    return false;
  }
}
