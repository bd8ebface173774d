export * from './providers';
export * from './stack-foundation';
