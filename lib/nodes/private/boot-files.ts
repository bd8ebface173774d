import { stringify } from 'yaml';
import { literal } from '../../common/terraform-template';
import BOOT_LIB from '../boot-lib.sh';

/** Where cloud-init writes the shared shell helpers that every bootstrap script sources. */
export const BOOT_LIB_PATH = '/usr/local/lib/rancher-aws/boot-lib.sh';

/** One `write_files` entry of a #cloud-config document. */
export interface WriteFile {
  readonly path: string;
  readonly owner: string;
  readonly permissions: string;
  readonly content: string;
}

/**
 * A root-owned file, written as given after Terraform renders the user data:
 * its text is escaped (`literal`), so only the Terraform references made with
 * cdktf are filled in.
 */
export function rootFile(path: string, permissions: string, content: string): WriteFile {
  return { path, owner: 'root:root', permissions, content: literal(content) };
}

/** A shell script run by root only. */
export function scriptFile(path: string, script: string): WriteFile {
  return rootFile(path, '0700', script);
}

/** Double-quoted shell assignment; values here are addresses, names, paths and versions. */
export function envLine(name: string, value: string): string {
  if (/["\\`\n]/.test(value)) throw new Error(`${name} must not contain quotes, backslashes or newlines`);
  return `${name}="${value}"`;
}

/** A root-only env file sourced by a bootstrap script (`NAME="value"` lines, in order). */
export function envFile(path: string, entries: readonly (readonly [string, string])[]): WriteFile {
  return rootFile(path, '0600', `${entries.map(([name, value]) => envLine(name, value)).join('\n')}\n`);
}

/**
 * A script as it is shipped to a Kubernetes server: comment-only lines left
 * out (the `#!` line and shellcheck directives stay). They are about a third of the text, and a
 * server's user data is held to EC2's 16 KiB; the commented source is in the
 * package and the repository.
 */
export function shipped(script: string): string {
  return (
    script
      .split('\n')
      // shellcheck directives stay: the shipped text is linted as it is (and they are short).
      .filter((line) => !/^\s*#( (?!shellcheck )|$)/.test(line))
      .join('\n')
  );
}

/** A server's shell script, shipped without its comments (`shipped`). */
export function serverScriptFile(path: string, script: string): WriteFile {
  return scriptFile(path, shipped(script));
}

/**
 * The curls of boot-lib.sh that name no time of their own, and the bounds the Kubernetes servers' copy gives them: the
 * instance metadata reads (a link-local service: seconds) and the SSM parameter read (one small JSON document). Without
 * them a read that hangs hangs whatever waits for it: the bootstrap, the renewal timer, and the registry login that runs
 * before every start of the server (the server unit's start is bounded too, lib/kubernetes/private/start-timeout.ts,
 * but each call should end long before that). The Docker host keeps the file byte for byte (its user data replaces it when it
 * changes): its reads stay as they were until a change that replaces the host anyway.
 */
const SERVER_CURL_BOUNDS: readonly (readonly [string, string])[] = [
  [
    `curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300'`,
    `curl -sf --connect-timeout 2 --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300'`,
  ],
  [`curl -sf -H "X-aws-ec2-metadata-token: $token"`, `curl -sf --connect-timeout 2 --max-time 5 -H "X-aws-ec2-metadata-token: $token"`],
  [
    `curl -s --config - -o "$body" -w '%{http_code}' \\\n      --aws-sigv4 "aws:amz:$AWS_REGION:ssm"`,
    `curl -s --config - --connect-timeout 5 --max-time 30 -o "$body" -w '%{http_code}' \\\n      --aws-sigv4 "aws:amz:$AWS_REGION:ssm"`,
  ],
];

/** `script` with each of `bounds` put in place of the one text it bounds; throws when a text is not there exactly once. */
function withBounds(script: string, bounds: readonly (readonly [string, string])[]): string {
  return bounds.reduce((text, [from, to]) => {
    const found = text.split(from).length - 1;
    if (found !== 1) throw new Error(`boot-lib.sh: expected one "${from.split('\n')[0]}" to bound, found ${found}`);
    return text.replace(from, () => to);
  }, script);
}

/**
 * boot-lib.sh as the Kubernetes servers get it: without run_installer, since they install only what they checked
 * (cluster-lib.sh fetch_verified), and with a time bound on every curl (SERVER_CURL_BOUNDS). The file keeps both as
 * they were because the Docker host's user data holds the file byte for byte, and a change there would replace the host.
 */
export const SERVER_BOOT_LIB = withBounds(BOOT_LIB.replace(/^run_installer\(\) \{\n[\s\S]*?^\}$\n?/m, ''), SERVER_CURL_BOUNDS);

/** bootFiles for a Kubernetes server: SERVER_BOOT_LIB and the extra helpers, shipped without their comments. */
export function serverBootFiles(...extra: readonly string[]): WriteFile[] {
  return [rootFile(BOOT_LIB_PATH, '0644', shipped([SERVER_BOOT_LIB, ...extra].join('\n')))];
}

/**
 * The files every bootstrap script needs: the shared helpers (retry, imds_get,
 * ssm_get, fetch_to), followed by `extra` helpers only some nodes use. What the
 * Docker host gets must stay as it is: its user data replaces it when it changes.
 */
export function bootFiles(...extra: readonly string[]): WriteFile[] {
  return [rootFile(BOOT_LIB_PATH, '0644', [BOOT_LIB, ...extra].join('\n'))];
}

/** Renders a #cloud-config document (no line folding, so scripts stay byte-for-byte). */
export function cloudConfig(document: Record<string, unknown>): string {
  return `#cloud-config\n${stringify(document, { lineWidth: 0 })}`;
}

/**
 * The named functions of a helper script, each with the comment lines just above it, in the order named: a host
 * that needs a few of cluster-lib.sh's helpers (the Docker host: aws_post, put_metric) takes them from the one
 * source without the rest, and without changing what the Kubernetes servers get.
 */
export function shellFunctions(script: string, names: readonly string[]): string {
  return names
    .map((name) => {
      const found = new RegExp(`(?:^#.*\\n)*^${name}\\(\\) \\{\\n[\\s\\S]*?^\\}$`, 'm').exec(script);
      if (!found) throw new Error(`no shell function ${name}() in the helpers`);
      return `${found[0]}\n`;
    })
    .join('\n');
}
