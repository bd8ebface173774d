export * from './api-readiness';
export * from './cert-manager';
export * from './chart-values';
export * from './cluster-access';
export * from './rancher-readiness';
export * from './rancher-server';
export * from './namespace';
export * from './tls-secrets';
