export * from './public-network';
export * from './security-group-rules';
export * from './private-subnets';
export * from './proxy';
export * from './existing-network';
export * from './public-address';
