export * from './block-schema';
export * from './hcl';
export * from './stack-output';
export * from './template';
export * from './version';
export * from './warnings';
