export * from './data-volume';
export * from './docker-certificate';
export * from './docker-readiness';
export * from './docker-user-data';
export * from './host-lifecycle';
export * from './rancher-container';
