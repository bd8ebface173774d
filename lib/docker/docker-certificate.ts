import { CertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { LocallySignedCert } from '@cdktf/provider-tls/lib/locally-signed-cert';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import type { DockerTlsSettings } from '../config/sections';
import { CertificateVariables, type CertificateMaterial } from '../tls/certificate-variables';
import { usesPrivateCa } from '../tls/tls-plan';
import type { CertificateFile } from './certificate-file';
import { certificateFiles } from './private/rancher-container';

/** One year, re-issued by Terraform during the last 30 days (which replaces the host). */
const LEAF_VALIDITY_HOURS = 8_760;
const LEAF_RENEWAL_HOURS = 720;

/** The container's certificate choice and Rancher's name. */
export interface DockerCertificateProps {
  /** Where TLS ends and who issues the certificate (`docker.tls`, resolved). */
  readonly tls: DockerTlsSettings;
  /** Rancher's public name: the `ca` issuer signs a certificate for it. */
  readonly hostname: string;
}

/** The Terraform variables each certificate choice needs. */
export function neededMaterial(tls: DockerTlsSettings): CertificateMaterial[] {
  if (tls.issuer === 'blank') return tls.privateCA ? ['certificate', 'privateKey', 'caCertificate'] : ['certificate', 'privateKey'];
  if (tls.issuer === 'ca') return ['caCertificate', 'caPrivateKey'];
  return [];
}

/**
 * The certificate files of the Docker install for a TLS choice, as Terraform
 * references only: `blank` takes the user's certificate and key (and CA) from
 * sensitive variables; `ca` signs a certificate for the hostname with the
 * user's CA (tls provider); `rancher` and `acme` need no file. Behind a load
 * balancer (mode `external`) the balancer's certificate is made elsewhere
 * (LoadBalancerCertificate, from the same variables) and the container gets
 * only a private CA, to publish to agents.
 */
export class DockerCertificate extends Construct {
  /** Contents of /etc/rancher/ssl/<file>.pem, by file. */
  readonly files: ReadonlyMap<CertificateFile, string>;
  /** The CA the served certificate chains to, when it is the user's (for the readiness check). */
  readonly caCertPem?: string;
  /** Changes whenever the served certificate changes; not secret (a digest of a certificate). */
  readonly fingerprint?: string;
  /** The Terraform variables of the user's material this choice declared. */
  readonly variables: CertificateVariables;

  constructor(scope: Construct, id: string, props: DockerCertificateProps) {
    super(scope, id);
    const tls = props.tls;
    this.variables = new CertificateVariables(this, 'variables', neededMaterial(tls));
    const material = (m: CertificateMaterial) => this.variables.get(m);
    const files = new Map<CertificateFile, string>();

    if (tls.mode === 'external') {
      if (usesPrivateCa(tls)) {
        const ca = material('caCertificate');
        files.set('cacerts', ca);
        this.caCertPem = ca;
        // A new CA must reach the container (a new host): the variable is sensitive, a digest of it is not.
        this.fingerprint = Fn.nonsensitive(Fn.sha256(ca));
      }
    } else if (tls.issuer === 'blank') {
      files.set('cert', material('certificate')).set('key', material('privateKey'));
      if (tls.privateCA) files.set('cacerts', material('caCertificate'));
      this.caCertPem = tls.privateCA ? material('caCertificate') : undefined;
      // The variable is sensitive, a digest of the certificate is not.
      this.fingerprint = Fn.nonsensitive(Fn.sha256(material('certificate')));
    } else if (tls.issuer === 'ca') {
      const key = new PrivateKey(this, 'key', { algorithm: 'ECDSA', ecdsaCurve: 'P256' });
      const request = new CertRequest(this, 'request', { privateKeyPem: key.privateKeyPem, dnsNames: [props.hostname] });
      const cert = new LocallySignedCert(this, 'cert', {
        certRequestPem: request.certRequestPem,
        caCertPem: material('caCertificate'),
        caPrivateKeyPem: material('caPrivateKey'),
        validityPeriodHours: LEAF_VALIDITY_HOURS,
        earlyRenewalHours: LEAF_RENEWAL_HOURS,
        allowedUses: ['digital_signature', 'key_encipherment', 'server_auth'],
      });
      files.set('cert', cert.certPem).set('key', key.privateKeyPem).set('cacerts', material('caCertificate'));
      this.caCertPem = material('caCertificate');
      this.fingerprint = Fn.sha256(cert.certPem);
    }

    const expected = certificateFiles(tls);
    if ([...files.keys()].join() !== expected.join()) throw new Error(`certificate files ${[...files.keys()]} do not match ${expected}`);
    this.files = files;
  }
}
