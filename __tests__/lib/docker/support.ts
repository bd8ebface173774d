import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import type { RancherOnDockerProps } from '../../../lib/deployments/rancher-on-docker-props';
import type { RancherContainerInput } from '../../../lib/docker/private/rancher-container';
import { synthConstruct } from '../../helpers/synth';

/** Shared by the docker tests (construct and stack): a stack with the AWS provider, synthesized. */
export function synthWithAws(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

/** The `docker run` options every certificate choice shares, as the Docker install docs give them. */
export const DOCKER_RUN_BASE_ARGS = [
  '--name=rancher',
  '--detach',
  '--restart=unless-stopped',
  '--privileged',
  '--publish=80:80',
  '--publish=443:443',
  '--volume=/var/lib/rancher:/var/lib/rancher',
  '--env-file=/etc/rancher-aws/rancher.env',
  '--env-file=/etc/rancher-aws/rancher-secrets.env',
] as const;

/** Behind a load balancer (docker.tls.mode external): port 80 only, the balancer's plain HTTP. */
export const DOCKER_RUN_BEHIND_ALB_ARGS = DOCKER_RUN_BASE_ARGS.filter((arg) => arg !== '--publish=443:443');

/** The read-only mount of one certificate file into /etc/rancher/ssl. */
export const sslMount = (file: string) => `--volume=/etc/rancher-aws/ssl/${file}.pem:/etc/rancher/ssl/${file}.pem:ro`;

/** RancherOnDocker's props the container takes: its flat `tls`, `rancher.auditLog`, the shared `proxy` and `airGap`. */
export type ContainerProps = Pick<RancherOnDockerProps, 'tls' | 'rancher' | 'proxy' | 'airGap'>;

/**
 * The container input from those props as a library user writes them, each one left out at the default its props
 * document (`@default`).
 */
export function containerInput(props: ContainerProps = {}): RancherContainerInput {
  const { proxy = {}, airGap = {} } = props;
  return {
    version: '2.14.4',
    hostname: 'rancher.example.com',
    tls: { mode: 'rancher', issuer: 'rancher', privateCA: false, ...props.tls },
    auditLog: { enabled: false, level: 0, destination: 'sidecar', maxAgeDays: 1, maxBackups: 1, maxSizeMb: 100, ...props.rancher?.auditLog },
    proxy: { ...proxy, noProxy: [...(proxy.noProxy ?? [])], egressOnlyTo: [...(proxy.egressOnlyTo ?? [])] },
    airGap: {
      ...airGap,
      registryMirrors: Object.fromEntries(Object.entries(airGap.registryMirrors ?? {}).map(([registry, mirrors]) => [registry, [...mirrors]])),
      useBundledSystemChart: airGap.useBundledSystemChart ?? false,
    },
    vpcRanges: '10.0.0.0/16',
  };
}
