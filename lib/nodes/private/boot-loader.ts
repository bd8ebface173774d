import { Token } from 'cdktf';
import { PARTITION_DNS_SUFFIXES, partitionOf } from '../../config/aws-regions';
import { literal } from '../../common/terraform-template';
import BOOT_LOADER from '../boot-loader.sh';
import { cloudConfig, scriptFile, shipped } from './boot-files';

/** Where the user data writes the loader (boot-loader.sh) that fetches, checks and applies the server's boot document. */
export const BOOT_LOADER_PATH = '/usr/local/sbin/rancher-aws-boot-loader';

/** The instance metadata's address: the loader reads the role's credentials there, never through a proxy. */
const IMDS_ADDRESS = '169.254.169.254';

/** What the loader needs to find and check a server's boot document; values may be Terraform references. */
export interface BootLoaderProps {
  /** The document's address: `https://<bucket regional domain name>/<key>` (S3's name in the bucket's partition). */
  readonly url: string;
  /** The bucket's region: the scope of the request's signature. */
  readonly region: string;
  /** The document's SHA-256 (hex): the loader applies nothing else. */
  readonly sha256: string;
  /**
   * The servers' HTTP_PROXY / HTTPS_PROXY / NO_PROXY (user strings, escaped here): the loader's request goes through
   * HTTPS_PROXY unless NO_PROXY names S3's host (loaderProxyEnvironment). @default none: S3 directly (or through the
   * VPC's gateway endpoint)
   */
  readonly proxyEnvironment?: readonly (readonly [string, string])[];
}

/**
 * The user data of a Kubernetes server: a #cloud-config that writes the loader and runs it once (runcmd). Its size
 * depends on no setting but the proxy's address: what the server runs is in the boot document.
 */
export function bootLoaderUserData(props: BootLoaderProps): string {
  const proxy = loaderProxyEnvironment(props.proxyEnvironment ?? [], props.region);
  return cloudConfig({
    write_files: [scriptFile(BOOT_LOADER_PATH, shipped(BOOT_LOADER))],
    runcmd: [
      [
        ...(proxy.length ? ['env', ...proxy.map(([name, value]) => literal(`${name}=${value}`))] : []),
        BOOT_LOADER_PATH,
        props.url,
        props.region,
        props.sha256,
      ],
    ],
  });
}

/**
 * What of the servers' proxy environment the loader's one request needs: HTTPS_PROXY, and of NO_PROXY only the
 * instance metadata and the entries that can match the bucket's host (`<bucket>.s3.<region>.<suffix>`: `*`, or a
 * domain that host ends with), so that the request takes the same way as the servers' other S3 requests while the
 * user data does not grow with the exceptions' list. A region that is a reference keeps every entry naming
 * `amazonaws`.
 */
export function loaderProxyEnvironment(environment: readonly (readonly [string, string])[], region: string): [string, string][] {
  const https = environment.find(([name]) => name === 'HTTPS_PROXY');
  if (!https) return [];
  const noProxy = environment.find(([name]) => name === 'NO_PROXY')?.[1] ?? '';
  const s3Domain = Token.isUnresolved(region) ? undefined : `s3.${region}.${PARTITION_DNS_SUFFIXES[partitionOf(region)]}`;
  const reachesS3 = (entry: string): boolean => {
    const domain = entry.replace(/^\*?\./, '').toLowerCase();
    if (entry === '*') return true;
    return s3Domain === undefined ? domain.includes('amazonaws') : s3Domain === domain || s3Domain.endsWith(`.${domain}`);
  };
  const kept = [IMDS_ADDRESS, ...noProxy.split(',').filter((entry) => entry !== IMDS_ADDRESS && reachesS3(entry))];
  return [
    ['HTTPS_PROXY', https[1]],
    ['NO_PROXY', kept.join(',')],
  ];
}
