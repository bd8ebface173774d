import { pollPause, yieldFor } from '../shared/poll';
import { runAsync, type RunResult } from '../shared/process';
import { readableError } from '../shared/tool-output';

// Whether the primary is lost (docs/failover.md): several probes of `/ping` over at least a minute, each at the
// hostname and at production's load balancer directly, each bounded. The verdict is `serving` (one pong at either is
// enough), `down` (every probe at both failed for the whole window) or `unknown` (anything else: an answer that is not
// pong, a curl ended by a signal or not by its own limit, an interrupted run, no load balancer to ask). Only `down`
// lets a failover go on by itself: `unknown` is never taken for `down`.

/** The verdict on the primary. */
export type PrimaryVerdict = 'serving' | 'down' | 'unknown';

/** How many probes, how far apart: the window is (count - 1) x interval. */
export interface ProbeSchedule {
  readonly count: number;
  readonly intervalMs: number;
}

/** Seven probes 10 s apart (POLL_INTERVAL_MS; tests shorten the pause, RANCHER_HA_AWS_POLL_MS): a window of a minute. */
export const PRIMARY_PROBE_COUNT = 7;
export const defaultProbeSchedule = (): ProbeSchedule => ({ count: PRIMARY_PROBE_COUNT, intervalMs: pollPause() });

/** curl's time limit for one probe, in seconds (`--max-time`); the process's own limit is above it. */
export const PROBE_MAX_SECONDS = 10;

/** What one probe of one target came to. */
export type ProbeOutcome =
  | { readonly kind: 'pong' }
  /** No answer at all: curl could not resolve, connect, shake hands or read within its limit, or a load balancer said nothing is behind it. */
  | { readonly kind: 'failed'; readonly detail: string }
  /** Neither: an answer that is not pong, curl ended otherwise than by itself. */
  | { readonly kind: 'inconclusive'; readonly detail: string };

/**
 * curl's exit codes that say the target did not answer (curl's man page, "EXIT CODES"): 6 could not resolve the host,
 * 7 failed to connect, 28 the operation timed out (`--max-time`), 35 the TLS handshake failed, 52 nothing was
 * received, 56 the connection failed while receiving. Any other code says something else went wrong (curl itself,
 * its options): not evidence of a lost primary.
 */
const NO_ANSWER = new Set([6, 7, 28, 35, 52, 56]);
/** HTTP statuses a load balancer answers with when nothing behind it answers (ELB: 502, 503, 504). */
const NOTHING_BEHIND = new Set(['502', '503', '504']);

/** One probe's outcome from curl's result (`--write-out '\n%{http_code}'`: the status on the last line). */
export function probeOutcome(result: RunResult): ProbeOutcome {
  if (result.timedOut) return { kind: 'inconclusive', detail: 'curl did not end within its own time limit' };
  if (result.code === null) return { kind: 'inconclusive', detail: 'curl was ended by a signal' };
  if (result.code !== 0)
    return NO_ANSWER.has(result.code)
      ? { kind: 'failed', detail: readableError(result.stderr, 200) || `curl exit ${result.code}` }
      : { kind: 'inconclusive', detail: `curl exit ${result.code}: ${readableError(result.stderr, 200)}` };
  const lines = result.stdout.trimEnd().split('\n');
  const status = lines.length > 1 ? lines.pop()!.trim() : '';
  const body = lines.join('\n').trim();
  if (body === 'pong' && status === '200') return { kind: 'pong' };
  if (NOTHING_BEHIND.has(status)) return { kind: 'failed', detail: `HTTP ${status} from the load balancer` };
  return { kind: 'inconclusive', detail: `answered HTTP ${status || '(none)'} '${body.slice(0, 80)}'` };
}

/** A target probed: the hostname as its record resolves, or production's load balancer under the hostname. */
export interface ProbeTarget {
  readonly name: string;
  /** curl's arguments before the URL (`--connect-to` for the load balancer). */
  readonly args: readonly string[];
}

/** The targets of `url`: the hostname, and production's load balancer (`--connect-to`) when it is known. */
export function probeTargets(url: string, loadBalancer: string | undefined): ProbeTarget[] {
  const host = new URL(url).hostname;
  return [
    { name: `the hostname ${host}`, args: [] },
    ...(loadBalancer ? [{ name: `production's load balancer ${loadBalancer}`, args: ['--connect-to', `${host}:443:${loadBalancer}:443`] }] : []),
  ];
}

/** One probe of one target with curl, bounded (`--max-time`, and the process's limit above it); `stop` ends it. */
export const curlProbe =
  (url: string, stop?: AbortSignal) =>
  (target: ProbeTarget): Promise<RunResult> =>
    runAsync(
      'curl',
      [
        '--silent',
        '--show-error',
        '--insecure',
        '--max-time',
        String(PROBE_MAX_SECONDS),
        '--write-out',
        '\n%{http_code}',
        ...target.args,
        `${url}/ping`,
      ],
      { timeoutMs: (PROBE_MAX_SECONDS + 5) * 1000, stop },
    );

/** The verdict, and what it rests on. */
export interface PrimaryProbes {
  readonly verdict: PrimaryVerdict;
  /** Probes made (each asks every target). */
  readonly probes: number;
  readonly targets: readonly string[];
  /** Seconds between the first probe's start and the last one's end. */
  readonly seconds: number;
  /** Why: the target that answered pong, the first inconclusive answer, or the last failure. */
  readonly why: string;
  /** The run was interrupted while probing. */
  readonly interrupted?: true;
}

export interface ProbeOptions {
  readonly url: string;
  readonly loadBalancer: string | undefined;
  readonly schedule: ProbeSchedule;
  readonly interrupted: () => boolean;
  /** One probe of one target (tests: a fake). @default curl */
  readonly probe?: (target: ProbeTarget) => Promise<RunResult>;
  /** The pause between probes (tests: counted, not waited). @default yieldFor */
  readonly pause?: (ms: number) => Promise<void>;
  readonly stop?: AbortSignal;
}

/**
 * Probes the primary on a schedule: stops at the first pong (`serving`), after a round with an inconclusive answer
 * and no pong (`unknown`), or when interrupted (`unknown`); after the last probe, `down`: every probe of every target
 * failed. Without production's load balancer the verdict is never `down` (only the hostname was asked).
 */
export async function probePrimary(o: ProbeOptions): Promise<PrimaryProbes> {
  const probe = o.probe ?? curlProbe(o.url, o.stop);
  const pause = o.pause ?? yieldFor;
  const targets = probeTargets(o.url, o.loadBalancer);
  const names = targets.map((t) => t.name);
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  let inconclusive: string | undefined;
  let lastFailure = '';
  let probes = 0;
  for (let n = 1; n <= Math.max(1, o.schedule.count); n++) {
    if (n > 1) await pause(o.schedule.intervalMs);
    if (o.interrupted()) return { verdict: 'unknown', probes, targets: names, seconds: seconds(), why: `before probe ${n}`, interrupted: true };
    probes = n;
    for (const target of targets) {
      const outcome = probeOutcome(await probe(target));
      if (o.interrupted())
        return {
          verdict: 'unknown',
          probes,
          targets: names,
          seconds: seconds(),
          why: `during probe ${n} at ${target.name}, which ${outcome.kind === 'pong' ? 'answered pong' : `came to: ${outcome.detail}`}`,
          interrupted: true,
        };
      if (outcome.kind === 'pong')
        return { verdict: 'serving', probes, targets: names, seconds: seconds(), why: `${target.name} answered pong (probe ${n})` };
      if (outcome.kind === 'inconclusive') inconclusive ??= `probe ${n} at ${target.name}: ${outcome.detail}`;
      else lastFailure = `probe ${n} at ${target.name}: ${outcome.detail}`;
    }
    // Not `down` any more, and the round's other target did not answer pong: more probes would not change what a
    // failover may do (both stop it without --primary-lost).
    if (inconclusive !== undefined) return { verdict: 'unknown', probes, targets: names, seconds: seconds(), why: inconclusive };
  }
  const base = { probes, targets: names, seconds: seconds() };
  if (!o.loadBalancer)
    return { verdict: 'unknown', ...base, why: "production's state names no load balancer to ask directly: the hostname alone did not answer" };
  return { verdict: 'down', ...base, why: lastFailure };
}
