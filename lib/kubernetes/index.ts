export * from './boot-parameters';
export * from './cluster-pki';
export * from './rke2-config';
export * from './rke2-settings';
export * from './rke2-user-data';
export * from './terraform-template';
export * from './snapshot-bucket';
export * from './kubeconfig';
