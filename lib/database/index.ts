export { ExternalDatastore, type ExternalDatastoreProps, type DatastoreEngine } from './external-datastore';
