import type { RancherOnDockerProps } from '../../../lib/deployments/rancher-on-docker-props';

/**
 * Type-level cases, not a jest file: `tsc --noEmit` (npm run lint) checks them. RancherOnDocker takes of the Rancher
 * props only what the Docker install uses; the Helm chart's settings are refused at compile time instead of being
 * ignored (the container's certificate is the construct's own `tls`).
 */

type DockerRancher = NonNullable<RancherOnDockerProps['rancher']>;

export const used: DockerRancher = { repository: 'prime', auditLog: { level: 1 }, bootstrap: { enabled: false }, acceptAgentChange: {} };
// @ts-expect-error: the Helm chart's TLS; the Docker install's is RancherOnDockerProps.tls
export const helmTls: DockerRancher = { tls: { mode: 'external' } };
// @ts-expect-error: the Helm chart's replicas; one container
export const replicas: DockerRancher = { replicas: 3 };
