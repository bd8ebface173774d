export { DataVolume, type DataVolumeProps } from './data-volume';
export { DockerCertificate, type DockerCertificateProps } from './docker-certificate';
export { DockerReadiness, type DockerReadinessProps } from './docker-readiness';
