import { createHash } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { RECORDED_CA } from '../../lib/rancher/ca-record';
import { waitUntil } from './poll';
import { runAsync } from './process';
import { StepFailed } from './throwaway';
import { readableError } from './tool-output';

// What a deployment serves under Rancher's hostname, asked at its load balancer before the name leads there
// (failover, failback: docs/failover.md): /ping, the CA Rancher publishes, and the chain verified against it.

/** The checksum agents compare (rancher `pkg/systemtemplate/import.go` CAChecksum): the trimmed text with one newline. */
export const caChecksum = (pem: string): string => createHash('sha256').update(`${pem.trim()}\n`).digest('hex');

/** The `value` of Rancher's `cacerts` setting as `/v3/settings/cacerts` answers it; undefined when that is not JSON. */
function publishedCa(body: string): string | undefined {
  try {
    return String((JSON.parse(body) as { value?: unknown }).value ?? '');
  } catch {
    return undefined;
  }
}

/** curl's trust for the hostname: the CA the deployment published (saved by checkServedCa), or the public roots. */
export const trustOf = (caFile: string): string[] => (existsSync(caFile) ? ['--cacert', caFile] : []);

/** The default budget of a wait for /ping, in minutes (LookBudget: that many minutes' looks, none started after them). */
export const PING_MINUTES = 15;
/** curl's time limit for one look at /ping or the published CA, in seconds (`--max-time`). */
export const PING_CURL_SECONDS = 20;

/** How long to wait for /ping, and how to be stopped. */
export interface PingBudget {
  readonly pingMinutes?: number;
  readonly interrupted: () => boolean;
}

/** Waits (bounded: pingMinutes, 15 by default) until `<url>/ping` answers pong with these curl options. */
export async function answersPong(budget: PingBudget, args: readonly string[], url: string, what: string): Promise<void> {
  let last = '';
  const minutes = budget.pingMinutes ?? PING_MINUTES;
  const ok = await waitUntil(minutes * 60_000, budget.interrupted, async () => {
    const ping = await runAsync('curl', ['--silent', '--show-error', '--max-time', String(PING_CURL_SECONDS), ...args, `${url}/ping`], {
      timeoutMs: 60_000,
    });
    if (ping.code === 0 && ping.stdout.trim() === 'pong') return true;
    last = ping.code === 0 ? `answered '${ping.stdout.trim().slice(0, 80)}'` : readableError(ping.stderr, 300);
    return undefined;
  });
  if (!ok) throw new StepFailed(`${what} did not answer pong within ${minutes} minutes (last: ${last})`);
}

/** A deployment checked at its load balancer under the hostname, before the name's records lead there. */
export interface ServedCaCheck extends PingBudget {
  /** `https://<hostname>`. */
  readonly url: string;
  /** The load balancer's DNS name: curl connects there for the hostname (`--connect-to`). */
  readonly loadBalancer: string;
  /** The CA the agents trust, as the backups' record names it (`rancher-ca-<sum>`, `private-ca-<sum>`, `public`). */
  readonly expected: string;
  /** Where the CA it publishes is saved (for the later pings by the name); removed first. */
  readonly caFile: string;
  /** Who is checked: "the standby", "the primary". */
  readonly who: string;
  /** What a refusal leaves, said after it: "The record was not moved; ...". */
  readonly left: string;
  /** Told the CA served (as the record spells it) once read, before it is compared: the report names it either way. */
  readonly seen?: (served: string) => void;
}

/**
 * Pings the deployment at its load balancer, reads the CA it publishes (what agents fetch first, unverified: their
 * run.sh), compares it with the record, then verifies its chain for the hostname against it. A StepFailed naming
 * both CAs when they differ, or when the chain does not verify.
 */
export async function checkServedCa(check: ServedCaCheck): Promise<void> {
  const { url, who } = check;
  const host = new URL(url).host;
  const at = ['--connect-to', `${host}:443:${check.loadBalancer}:443`];
  await answersPong(check, [...at, '--insecure'], url, `${url}/ping at ${who}'s load balancer ${check.loadBalancer}`);
  rmSync(check.caFile, { force: true });
  const got = await runAsync(
    'curl',
    ['--silent', '--show-error', '--max-time', String(PING_CURL_SECONDS), '--insecure', ...at, `${url}/v3/settings/cacerts`],
    {
      timeoutMs: 60_000,
    },
  );
  const served = publishedCa(got.stdout);
  if (served === undefined)
    throw new StepFailed(`${who}'s /v3/settings/cacerts did not answer JSON (${readableError(got.stderr || got.stdout, 200)}): ${check.left}`);
  const expected = check.expected;
  const servedAs =
    served.trim() === ''
      ? RECORDED_CA.public
      : `${expected.startsWith(RECORDED_CA.private) ? RECORDED_CA.private : RECORDED_CA.rancher}${caChecksum(served)}`;
  check.seen?.(servedAs);
  const same = expected === RECORDED_CA.public ? servedAs === RECORDED_CA.public : servedAs === expected;
  if (!same)
    throw new StepFailed(
      `${who} serves the CA ${servedAs}, and the backups' record says agents trust ${expected}: they would refuse it. ${check.left}`,
    );
  if (served.trim() !== '') writeFileSync(check.caFile, `${served.trim()}\n`);
  const verified = await runAsync(
    'curl',
    ['--silent', '--show-error', '--max-time', String(PING_CURL_SECONDS), ...trustOf(check.caFile), ...at, `${url}/ping`],
    {
      timeoutMs: 60_000,
    },
  );
  if (verified.code !== 0 || verified.stdout.trim() !== 'pong')
    throw new StepFailed(
      `${who}'s certificate for ${host} does not verify against ${served.trim() ? 'the CA it publishes' : 'the public roots'} (${readableError(verified.stderr, 300)}): ${check.left}`,
    );
}
