export * from './external-datastore';
