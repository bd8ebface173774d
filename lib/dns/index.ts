export * from './alias-record';
