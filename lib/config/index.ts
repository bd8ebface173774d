export * from './cidr';
export * from './errors';
export * from './load';
export * from './schema';
export * from './versions';
export * from './fields';
