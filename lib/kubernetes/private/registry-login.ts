import { rootFile, serverScriptFile, type WriteFile } from '../../nodes/private/boot-files';
import { credentialStore } from '../../config/registry-credentials';
import type { RegistryCredentialsSettings } from '../../config/sections';
import REGISTRY_CREDENTIALS from '../registry-credentials.sh';
import { registriesFiles } from './rke2-config';
import { BOOTSTRAP_UNIT, type ServerDistribution } from './server-units';

/** Writes the private registry's login into registries.yaml (registry-credentials.sh); run before the bootstrap and every start. */
export const REGISTRY_CREDENTIALS_PATH = '/usr/local/sbin/rancher-aws-registry-credentials';

const SERVICES: Record<ServerDistribution, string> = { rke2: 'rke2-server', k3s: 'k3s' };

/** A systemd drop-in that runs the login script before `unit` starts. */
function dropIn(unit: string, distribution: ServerDistribution): WriteFile {
  return rootFile(
    `/etc/systemd/system/${unit}.service.d/rancher-aws-registry.conf`,
    '0644',
    `[Service]\nExecStartPre=${REGISTRY_CREDENTIALS_PATH} ${distribution}\n`,
  );
}

/**
 * A server's registries.yaml and, with a registry login, what writes it: the mirrors then go to
 * registries-mirrors.yaml, and the script writes registries.yaml from them and the login, read from SSM or Secrets
 * Manager first in each bootstrap run and before each start of the server (drop-ins on both units; the service's is
 * written before the installer creates the unit, and systemd merges it in). `environment` goes into the bootstrap's
 * env file. Without a login: registries.yaml as cloud-init writes it, nothing else.
 */
export function registryFiles(
  distribution: ServerDistribution,
  mirrors: Readonly<Record<string, readonly string[]>> = {},
  login?: Readonly<RegistryCredentialsSettings>,
): { files: WriteFile[]; environment: [string, string][] } {
  const configDir = `/etc/rancher/${distribution}`;
  if (!login) return { files: registriesFiles(configDir, mirrors), environment: [] };
  const store = credentialStore(login);
  return {
    files: [
      ...registriesFiles(configDir, mirrors, 'registries-mirrors.yaml'),
      serverScriptFile(REGISTRY_CREDENTIALS_PATH, REGISTRY_CREDENTIALS),
      dropIn(BOOTSTRAP_UNIT, distribution),
      dropIn(SERVICES[distribution], distribution),
    ],
    environment: [
      ['REGISTRY_HOST', login.registry],
      ['REGISTRY_STORE', store.store],
      ['REGISTRY_SECRET', store.id],
    ],
  };
}
