export { ApiReadiness, type ApiReadinessProps } from './api-readiness';
export { CertManager, type CertManagerProps } from './cert-manager';
export { RancherNamespace } from './namespace';
export { RancherReadiness, type RancherReadinessProps } from './rancher-readiness';
export { RancherServer, type RancherServerProps } from './rancher-server';
export { RancherTlsSecrets, type RancherTlsSecretsProps } from './tls-secrets';
export { FirstLogin, type FirstLoginProps } from './first-login';
