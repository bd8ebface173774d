export * from './providers';
export * from './stack-foundation';
export * from './output-directory';
