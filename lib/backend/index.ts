export * from './state-backend';
export * from './local-state';
