/** Certificate files the container mounts from /etc/rancher/ssl. */
export type CertificateFile = 'cert' | 'key' | 'cacerts';
