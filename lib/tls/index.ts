export * from './certificate-variables';
export * from './tls-plan';
export * from './acm-certificate';
