export * from './node-role';
export * from './node-security-group';
export * from './ports';
export * from './server-node';
export * from './ubuntu-ami';
export * from './boot-files';
export * from './server-quorum';
export * from './boot-parameters';
