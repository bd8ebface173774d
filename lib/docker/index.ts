export { DataVolume, type DataVolumeProps, type SnapshotSchedule } from './data-volume';
export { DockerCertificate, type DockerCertificateProps } from './docker-certificate';
export type { CertificateFile } from './certificate-file';
export { DockerReadiness, type DockerReadinessProps } from './docker-readiness';
