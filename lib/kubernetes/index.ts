export { ClusterPki, type ClusterPkiProps, type CertificateAuthority } from './cluster-pki';
export { SnapshotBucket, type SnapshotBucketProps } from './snapshot-bucket';
export { ReadinessGates, type ReadinessGatesProps, type GateProps, type GateCheck } from './readiness-gates';
export type { HelmChartOptions, ManifestOptions, KubernetesObject } from './cluster-additions';
export type { Json } from './gate-chart';
