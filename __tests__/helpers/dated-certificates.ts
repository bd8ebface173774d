import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBounded } from './subprocess';

/** A time as `openssl ca` takes it: YYYYMMDDHHMMSSZ. */
const asn1Time = (date: Date) => `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/**
 * Real self-signed certificates (openssl 3.0 `ca -selfsign`, which takes any start and end, past ones too; `req
 * -x509` takes only a number of days from now), one per end asked for, each held to its end by `openssl x509
 * -enddate`. One openssl run per certificate, in a folder removed by `dispose`.
 */
export function datedCertificates(ends: Readonly<Record<string, Date>>): { pem: Record<string, string>; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dated-pki-'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    `[ca]\ndefault_ca = test\n[test]\ndatabase = ${dir}/index.txt\nnew_certs_dir = ${dir}\nserial = ${dir}/serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n`,
  );
  const pem: Record<string, string> = {};
  for (const [name, end] of Object.entries(ends)) {
    const start = new Date(end.getTime() - 365 * 86_400_000);
    const script = [
      `openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${name}.key -out ${name}.csr -subj /CN=${name} 2>/dev/null`,
      `openssl ca -batch -config ca.cnf -selfsign -keyfile ${name}.key -in ${name}.csr -out ${name}.crt -startdate ${asn1Time(start)} -enddate ${asn1Time(end)} -notext 2>/dev/null`,
      `[ "$(openssl x509 -enddate -noout -in ${name}.crt | cut -d= -f2 | xargs -I{} date -u -d {} +%s)" = ${Math.floor(end.getTime() / 1000)} ]`,
    ].join('\n');
    const r = runBounded('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir });
    if (r.status !== 0) throw new Error(`openssl failed for ${name}: ${r.stderr}`);
    pem[name] = readFileSync(join(dir, `${name}.crt`), 'utf8');
  }
  return { pem, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
