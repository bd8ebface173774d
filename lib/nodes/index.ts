export { NodeRole, type NodeRoleProps } from './node-role';
export { NodeSecurityGroup, type NodeSecurityGroupProps } from './node-security-group';
export { ServerNode, type ServerNodeProps, type HeldAttribute, type BootStore } from './server-node';
export { BootBucket, type BootBucketProps } from './boot-bucket';
export { UbuntuAmi, type UbuntuAmiProps } from './ubuntu-ami';
export { ServerImage, type ServerImageProps } from './server-image';
export { ServerQuorum, type ServerQuorumProps } from './server-quorum';
export { BootParameters, type BootParametersProps } from './boot-parameters';
export type { PortRule } from '../network/port-rule';
