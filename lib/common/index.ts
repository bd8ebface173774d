export * from './providers';
export * from './deployment-guard';
export * from './http-retry';
export * from './terraform-data';
export * from './tags';
export * from './terraform-template';
