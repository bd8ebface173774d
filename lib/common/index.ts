export * from './providers';
export * from './stack-foundation';
export * from './deployment-guard';
export * from './http-retry';
export * from './terraform-data';
export * from './tags';
export * from './output-directory';
