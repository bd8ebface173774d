// What docker-user-data.test.ts and docker-user-data.tools.test.ts share: the host input, the rendered user data of the
// defaults and of every option, and the files in it.
import { parse } from 'yaml';
import { dockerUserData, type DockerHostInput } from '../../../lib/docker/private/docker-user-data';
import { renderTemplate, type CloudConfigFile } from '../../helpers/validators';
import { containerInput, type ContainerProps } from './support';

/** The host input from RancherOnDocker's props the container reads, and the host's own fields. */
export function input(props: ContainerProps = {}, extra: Partial<DockerHostInput> = {}): DockerHostInput {
  return {
    ...containerInput(props),
    region: 'us-east-1',
    parameterPrefix: '/rancher/docker',
    dataVolumeId: 'vol-0123456789abcdef0',
    deploymentName: 'demo-docker',
    ...extra,
  };
}

// What Terraform makes of the attribute: escaped `$${` back to `${`.
export const rendered = (text: string) =>
  renderTemplate(text, (expression) => {
    throw new Error(`unexpected reference ${expression}`);
  });
const files = (text: string): CloudConfigFile[] => parse(text).write_files;
export const file = (text: string, path: string) => files(text).find((f) => f.path === path)!;

/** Certificate, audit log, proxy and air gap: every option the user data carries (typed, so a key the props do not have fails the type-check). */
export const fullSettings: ContainerProps = {
  tls: { issuer: 'blank', privateCA: true },
  rancher: { auditLog: { enabled: true, level: 1 } },
  proxy: { http: 'http://proxy:3128' },
  airGap: {
    systemDefaultRegistry: 'registry.internal:5000',
    useBundledSystemChart: true,
    registryMirrors: { 'docker.io': ['https://mirror.internal', 'https://mirror2.internal:5000/hub'], 'quay.io': ['https://quay-mirror.internal'] },
  },
};

/** The rendered user data of the defaults (plain) and of fullSettings (full). */
export const sampleUserData = () => ({
  plain: rendered(dockerUserData(input())),
  full: rendered(dockerUserData(input(fullSettings, { certificateFingerprint: '0123abcd' }))),
});
