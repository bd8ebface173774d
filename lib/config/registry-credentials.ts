import type { RegistryCredentialsSettings } from './sections';

/**
 * `airGap.registryCredentials`: the forms of its store names, the registries the servers pull from, and where a
 * name or ARN points (plain strings, so the schema, the node role and the user data share one reading).
 */

const PARTITION = 'aws(?:-[a-z]+)*';
const REGION = '[a-z]{2}(?:-gov)?-[a-z]+-\\d';
const ACCOUNT = '\\d{12}';
/** SSM parameter names: letters, digits, `_ . -` in `/`-separated levels; a name may be fully qualified (a leading `/`). */
const SSM_LEVELS = '[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*';
/** Secrets Manager names: letters, digits and `/ _ + = . @ -`. */
const SECRET_NAME = '[A-Za-z0-9/_+=.@-]+';

/** The longest names the two stores take. */
export const SSM_PARAMETER_NAME_LENGTH = 2048;
export const SECRETS_MANAGER_NAME_LENGTH = 512;
export const SSM_PARAMETER_NAME = new RegExp(`^(?=.{1,${SSM_PARAMETER_NAME_LENGTH}}$)/?${SSM_LEVELS}$`);
export const SSM_PARAMETER_ARN = new RegExp(`^arn:(${PARTITION}):ssm:(${REGION}):(${ACCOUNT}):parameter/(${SSM_LEVELS})$`);
export const SECRETS_MANAGER_NAME = new RegExp(`^(?=.{1,${SECRETS_MANAGER_NAME_LENGTH}}$)${SECRET_NAME}$`);
/** The full ARN: Secrets Manager appends a hyphen and six characters to the name. */
export const SECRETS_MANAGER_ARN = new RegExp(`^arn:(${PARTITION}):secretsmanager:(${REGION}):(${ACCOUNT}):secret:(${SECRET_NAME}-[A-Za-z0-9]{6})$`);

/** The registry hosts (host[:port]) the servers pull from: `systemDefaultRegistry`'s and every mirror endpoint's. */
export function registryHostsOf(airGap: { readonly systemDefaultRegistry?: unknown; readonly registryMirrors?: unknown }): string[] {
  const hosts: string[] = [];
  if (typeof airGap.systemDefaultRegistry === 'string') hosts.push(airGap.systemDefaultRegistry.split('/')[0]);
  if (airGap.registryMirrors && typeof airGap.registryMirrors === 'object') {
    for (const endpoints of Object.values(airGap.registryMirrors)) {
      if (!Array.isArray(endpoints)) continue;
      for (const url of endpoints) if (typeof url === 'string' && url.startsWith('https://')) hosts.push(url.slice('https://'.length).split('/')[0]);
    }
  }
  return [...new Set(hosts)];
}

/**
 * Where the credentials are: the store, the name or ARN as given (what the servers ask for), and, from an ARN, its
 * partition, region and account (from a name: undefined, the stack's own).
 */
export interface CredentialStore {
  readonly store: 'ssm' | 'secretsmanager';
  readonly id: string;
  readonly partition?: string;
  readonly region?: string;
  readonly account?: string;
  /** The parameter's or secret's name, without the ARN around it (Secrets Manager: with the ARN's suffix). */
  readonly name: string;
}

export function credentialStore(c: Readonly<RegistryCredentialsSettings>): CredentialStore {
  if (c.ssmParameter !== undefined) {
    const arn = SSM_PARAMETER_ARN.exec(c.ssmParameter);
    return arn
      ? { store: 'ssm', id: c.ssmParameter, partition: arn[1], region: arn[2], account: arn[3], name: arn[4] }
      : { store: 'ssm', id: c.ssmParameter, name: c.ssmParameter.replace(/^\//, '') };
  }
  const id = c.secretsManagerSecret ?? '';
  const arn = SECRETS_MANAGER_ARN.exec(id);
  return arn
    ? { store: 'secretsmanager', id, partition: arn[1], region: arn[2], account: arn[3], name: arn[4] }
    : { store: 'secretsmanager', id, name: id };
}
