import { Token } from 'cdktf';
import { PARTITION_DNS_SUFFIXES, partitionOf } from '../../config/aws-regions';
import { literal } from '../../common/terraform-template';
import BOOT_LOADER from '../boot-loader.sh';
import { cloudConfig, scriptFile, shipped } from './boot-files';

/** Where the user data writes the loader (boot-loader.sh) that fetches, checks and applies the server's boot document. */
export const BOOT_LOADER_PATH = '/usr/local/sbin/rancher-aws-boot-loader';
/** The unit that runs the loader until it has applied the document once (its name: `systemctl status <unit>`). */
export const BOOT_LOADER_UNIT = 'rancher-aws-boot-loader.service';
const stamp = /^STAMP=(\S+)$/m.exec(BOOT_LOADER)?.[1];
// A loader that no longer sets it is an error at load, not a unit whose condition names an empty path.
if (stamp === undefined) throw new Error('boot-loader.sh no longer sets STAMP, which the condition of its unit names');
/** Written by the loader once the document is applied: the unit never runs again after that, a reboot's included. */
export const BOOT_APPLIED_STAMP: string = stamp;

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
 * The user data of a Kubernetes server: a #cloud-config that writes the loader and its unit, and starts the unit
 * (runcmd, once per instance; `--no-block`, as cloud-init's final stage must not wait for it). Its size depends on no
 * setting but the proxy's address: what the server runs is in the boot document.
 */
export function bootLoaderUserData(props: BootLoaderProps): string {
  return cloudConfig({
    write_files: [scriptFile(BOOT_LOADER_PATH, shipped(BOOT_LOADER)), bootLoaderUnit(props)],
    runcmd: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', '--no-block', BOOT_LOADER_UNIT],
    ],
  });
}

/**
 * The loader's unit. The loader itself waits out a brownout (capped back-off, for as long as it takes; boot-loader.sh),
 * so the unit only starts it, at every boot until the stamp exists, and runs it again a minute after it failed
 * otherwise (a command of the document); a document it refuses (exit 78) waits for a person. Type simple, so a
 * reboot in a brownout does not hold multi-user.target (a oneshot would) while the loader retries. Its lines go to
 * the console as well as the journal, as cloud-init's own final stage does (cloud-final.service), so that
 * `aws ec2 get-console-output` shows why a server has not booted. Fixed text but the document's address, region and
 * SHA-256 (Terraform references) and the proxy's environment (user strings, escaped for systemd and Terraform).
 */
function bootLoaderUnit(props: BootLoaderProps): { path: string; owner: string; permissions: string; content: string } {
  const proxy = loaderProxyEnvironment(props.proxyEnvironment ?? [], props.region);
  const fixed = (lines: string[]) => literal(lines.join('\n'));
  const content = [
    fixed([
      '[Unit]',
      'Description=rancher-aws boot loader',
      'Wants=network-online.target',
      'After=network-online.target time-sync.target',
      `ConditionPathExists=!${BOOT_APPLIED_STAMP}`,
      '',
      '[Service]',
      'Type=simple',
      ...(proxy.length ? [`Environment=${proxy.map(([name, value]) => systemdQuoted(`${name}=${value}`)).join(' ')}`] : []),
    ]),
    `ExecStart=${BOOT_LOADER_PATH} ${props.url} ${props.region} ${props.sha256}`,
    fixed([
      'RemainAfterExit=yes',
      'Restart=on-failure',
      'RestartSec=60s',
      'RestartPreventExitStatus=78',
      'StandardOutput=journal+console',
      'StandardError=journal+console',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ]),
  ].join('\n');
  return { path: `/etc/systemd/system/${BOOT_LOADER_UNIT}`, owner: 'root:root', permissions: '0644', content };
}

/**
 * A value of `Environment=` as systemd reads it (systemd.exec(5) "Environment=", systemd.syntax(7) on quoting):
 * double-quoted, `\` and `"` escaped, `%` doubled (specifiers are expanded there). No newline.
 */
export function systemdQuoted(value: string): string {
  if (value.includes('\n')) throw new Error(`a systemd setting cannot hold a newline: ${JSON.stringify(value)}`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`;
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
