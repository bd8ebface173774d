import type { CertificateVariables } from '../../tls/certificate-variables';
import type { TlsPlan } from '../../tls/tls-plan';
import type { ReadinessTrust } from '../rancher-readiness';

/** What the end-of-deploy probe verifies the served certificate against, for a TLS plan. */
export function readinessTrust(tls: TlsPlan, certificates: CertificateVariables): ReadinessTrust {
  switch (tls.trust) {
    case 'rancher-ca':
      return { kind: 'rancher-ca' };
    case 'user-ca':
      return { kind: 'ca', caCertPem: certificates.get('caCertificate') };
    case 'public':
      return { kind: 'public' };
    case 'unverified':
      return { kind: 'unverified' };
  }
}
