export { CertificateVariables, type CertificateMaterial } from './certificate-variables';
export { LoadBalancerCertificate, type LoadBalancerCertificateProps } from './acm-certificate';
export type { TlsPlan, Trust, AcmSource } from './tls-plan';
