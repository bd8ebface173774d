import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBounded } from '../subprocess';

/** openssl 3.0's form of a time for `openssl ca -startdate/-enddate` (no -not_after before 3.4). */
const opensslTime = (d: Date): string => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/**
 * A test CA made with openssl in `dir` (ca.crt, ca.key), and the leaves it issues: real X.509, so the real kubectl,
 * curl and etcd check them as they check a cluster's (chain, IP SANs, validity at each handshake).
 */
export class TestCa {
  readonly cert: string;
  readonly key: string;
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.cert = join(dir, 'ca.crt');
    this.key = join(dir, 'ca.key');
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '01\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      [
        '[ca]',
        'default_ca = test',
        '[test]',
        `dir = ${dir}`,
        'database = $dir/index.txt',
        'serial = $dir/serial',
        'new_certs_dir = $dir',
        'default_md = sha256',
        'policy = any',
        'unique_subject = no',
        'copy_extensions = copy',
        '[any]',
        'commonName = supplied',
        '[req]',
        'distinguished_name = dn',
        '[dn]',
        '[v3_ca]',
        'basicConstraints = critical,CA:true',
        'keyUsage = critical,keyCertSign,cRLSign',
        'subjectKeyIdentifier = hash',
        '',
      ].join('\n'),
    );
    this.openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', this.key]);
    this.openssl(['req', '-new', '-key', this.key, '-subj', '/CN=fake-cluster-ca', '-out', join(dir, 'ca.csr'), '-config', join(dir, 'ca.cnf')]);
    const now = Date.now();
    this.openssl([
      'ca',
      '-batch',
      '-config',
      join(dir, 'ca.cnf'),
      '-selfsign',
      '-keyfile',
      this.key,
      '-in',
      join(dir, 'ca.csr'),
      '-out',
      this.cert,
      '-startdate',
      opensslTime(new Date(now - 3600_000)),
      '-enddate',
      opensslTime(new Date(now + 2 * 86400_000)),
      '-extensions',
      'v3_ca',
      '-notext',
    ]);
  }

  /**
   * A leaf `name` (its files NAME.crt and NAME.key in the CA's folder) for the IP addresses `ips`, valid from an hour
   * ago until `notAfter` (default: a day from now); both client and server use, as RKE2's etcd peer certificates are.
   */
  issue(name: string, ips: readonly string[], notAfter: Date = new Date(Date.now() + 86400_000)): { cert: string; key: string } {
    const key = join(this.dir, `${name}.key`);
    const cert = join(this.dir, `${name}.crt`);
    const ext = join(this.dir, `${name}.ext`);
    writeFileSync(
      ext,
      [
        '[req]',
        'distinguished_name = dn',
        'req_extensions = leaf',
        '[dn]',
        '[leaf]',
        'basicConstraints = CA:false',
        'keyUsage = critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage = serverAuth,clientAuth',
        `subjectAltName = ${[...ips.map((ip) => `IP:${ip}`), 'DNS:localhost'].join(',')}`,
        '',
      ].join('\n'),
    );
    this.openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    this.openssl(['req', '-new', '-key', key, '-subj', `/CN=${name}`, '-out', join(this.dir, `${name}.csr`), '-config', ext]);
    this.openssl([
      'ca',
      '-batch',
      '-config',
      join(this.dir, 'ca.cnf'),
      '-cert',
      this.cert,
      '-keyfile',
      this.key,
      '-in',
      join(this.dir, `${name}.csr`),
      '-out',
      cert,
      '-startdate',
      opensslTime(new Date(Date.now() - 3600_000)),
      '-enddate',
      opensslTime(notAfter),
      '-notext',
    ]);
    return { cert, key };
  }

  private openssl(args: string[]): void {
    const result = runBounded('openssl', args, { cwd: this.dir });
    if (result.status !== 0) throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${result.stderr}`);
  }
}
