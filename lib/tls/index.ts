export * from './certificate-variables';
