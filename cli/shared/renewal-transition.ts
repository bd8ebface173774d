import { createHash } from 'node:crypto';
import CERT_RENEWAL from '../../lib/kubernetes/cert-renewal.sh';
import { CERT_RENEWAL_PATH as SCRIPT, CERT_RENEWAL_UNIT as UNIT } from '../../lib/kubernetes/object-names';
import type { Aws } from './aws';
import { Interrupted } from './poll';
import { onServer } from './server-command';
import type { Server } from './servers';

/**
 * The transition (design notes, "Who may restart a server"): a server keeps the cert-renewal.sh its user data
 * installed until it is replaced, and the previous script takes a Lease by age whatever server it marks out and
 * counts the Nodes that exist (issue 32's race). So every operation that restarts servers (the roll and both
 * rotations) turns off, holding the restart Lease and before its first out mark, the timer of every server whose
 * script differs from this version's, and turns back on, once no server is out, those of the servers it did not
 * replace. One function each way, used by all three.
 *
 * Off means disabled, not only stopped: systemd starts at boot every timer enabled into timers.target, so a timer
 * only stopped comes back with any reboot (an AWS maintenance event, a person's reboot while the operation is
 * stopped). The server records that an operation disabled it (DISABLED_MARK, before the disable): a run killed
 * before it recorded the list, and resumed, still knows which timers are its own to enable; a timer a person
 * disabled is left as it is.
 */

/** The SHA-256 of this version's cert-renewal.sh, as the servers' user data writes it. */
export const RENEWAL_SCRIPT_SHA256 = createHash('sha256').update(CERT_RENEWAL).digest('hex');

/** On a server: its renewal timer was disabled by an operation's transition (and is to be enabled again). */
export const DISABLED_MARK = '/var/lib/rancher/rancher-aws/renewal-timer-disabled-by-operation';

/**
 * One server's disable command's budget, a run under way waited for (its restart waits 15 minutes at most for its
 * server, cert-renewal.sh RESTART_WAIT_SECONDS); and the enable command's.
 */
export const TIMER_BUDGETS = { disableMs: 20 * 60_000, enableMs: 2 * 60_000 } as const;

/**
 * What the disable command printed on one server: this version's script (nothing done); disabled (by this
 * operation, now or in an earlier run of it); off (disabled before by someone else: stopped, left disabled); a run
 * still under way past the wait.
 */
export type TimerCheck = 'current' | 'disabled' | 'off' | 'still-running';

/**
 * The command run through SSM on one server: nothing when its script is this version's; otherwise its timer
 * disabled and stopped (no new run starts, none at the next boot) and a run under way waited for, within
 * `waitSeconds`. It prints `renewal-timer=<TimerCheck>`.
 */
export function disableOldTimerCommand(waitSeconds: number, sha256 = RENEWAL_SCRIPT_SHA256): string {
  const looks = Math.max(1, Math.ceil(waitSeconds / 5));
  return [
    `if [ -f ${SCRIPT} ] && [ "$(sha256sum ${SCRIPT} | cut -d' ' -f1)" = "${sha256}" ]; then echo renewal-timer=current; exit 0; fi`,
    `if [ -e ${DISABLED_MARK} ] || systemctl is-enabled --quiet ${UNIT}.timer; then`,
    `  install -D -m 0600 /dev/null ${DISABLED_MARK} && systemctl disable --now ${UNIT}.timer || exit 1; verdict=disabled`,
    `else systemctl stop ${UNIT}.timer 2>/dev/null || true; verdict=off; fi`,
    `i=0; while systemctl is-active --quiet ${UNIT}.service && [ $i -lt ${looks} ]; do sleep 5; i=$((i+1)); done`,
    `if systemctl is-active --quiet ${UNIT}.service; then echo renewal-timer=still-running; exit 1; fi`,
    'echo renewal-timer=$verdict',
  ].join('\n');
}

/**
 * The command that turns a timer the transition turned off back on: enabled and started where this server's mark
 * says an operation disabled it; started where it is still enabled (stopped by a roll of the version before this
 * one, which only stopped timers); otherwise left as it is.
 */
export const ENABLE_TIMER_COMMAND = [
  `if [ -e ${DISABLED_MARK} ]; then systemctl enable --now ${UNIT}.timer && rm -f ${DISABLED_MARK} && echo renewal-timer=enabled`,
  `elif systemctl is-enabled --quiet ${UNIT}.timer; then systemctl start ${UNIT}.timer && echo renewal-timer=enabled`,
  'else echo renewal-timer=off; fi',
].join('\n');

/** The verdict a disable command printed, or undefined when it printed none. */
export function timerCheckOf(output: string): TimerCheck | undefined {
  return /^renewal-timer=(current|disabled|off|still-running)$/m.exec(output)?.[1] as TimerCheck | undefined;
}

/** What each of the transition's lines says. */
export type TransitionCode =
  'TIMER_PASSED_OVER' | 'TIMER_LEFT_DISABLED' | 'TIMERS_DISABLED' | 'NO_TIMER_DISABLED' | 'TIMER_ENABLED' | 'TIMER_NOT_ENABLED';

/** What the transition needs of the operation running it. */
export interface TransitionContext {
  readonly aws: Aws;
  readonly interrupted: () => boolean;
  /**
   * Where the transition's lines go, each with the code of what it says (TIMER_DISABLED...): a command with coded
   * messages prefixes its own name (the roll: ROLL_TIMER_DISABLED); one that prints lines takes the line alone.
   */
  readonly log: (line: string, code: TransitionCode) => void;
  /** The operation, in SSM comments and messages ("roll", "rotate token"). */
  readonly operation: string;
}

/** The transition as an operation's plan states it, before its first restart. */
export const TRANSITION_PLAN =
  "Before each server is marked out: each server's cert-renewal.sh compared with this version's (SSM), Ready or not; where it differs, its renewal timer is disabled (a reboot does not start it) until the operation ends";

/** The servers whose timer this run turned off (to enable again), and what stopped it, if anything did. */
export interface Transition {
  readonly disabled: readonly string[];
  readonly failure?: string;
}

/**
 * Before each out mark of the operation (its first, and again before every restart), holding the restart Lease: the
 * timer of every server that runs another cert-renewal.sh disabled (and a run under way waited for), Ready or not: a
 * server down at this look (a reboot) comes back with its timer. Only `replacing`, the server the operation has out
 * and replaces, is passed over (its replacement boots this version's script). Stops at the first server it could not
 * turn off (SSM does not reach it): nothing is marked out then.
 */
export async function disableOldTimers(c: TransitionContext, servers: readonly Server[], replacing?: string): Promise<Transition> {
  const disabled: string[] = [];
  for (const server of servers) {
    if (server.name === replacing) {
      c.log(
        `  ${server.name} is out and being replaced: its renewal timer is not looked at (its replacement runs this version's script).`,
        'TIMER_PASSED_OVER',
      );
      continue;
    }
    let failure: string | undefined;
    try {
      const { commandId, result } = await onServer(
        c,
        server,
        disableOldTimerCommand(TIMER_BUDGETS.disableMs / 1000 - 60),
        `rancher-ha-aws ${c.operation}: renewal timer of ${server.name} before a server is marked out`,
        TIMER_BUDGETS.disableMs,
      );
      const check = result && timerCheckOf(result.output);
      if (check === 'current') continue;
      if (check === 'off') {
        c.log(
          `  ${server.name} runs another cert-renewal.sh and its timer was disabled before this ${c.operation}: stopped, and left disabled.`,
          'TIMER_LEFT_DISABLED',
        );
        continue;
      }
      disabled.push(server.name);
      if (check === 'disabled') continue;
      failure =
        check === 'still-running'
          ? `its timer was disabled, but a renewal run under way did not end within ${TIMER_BUDGETS.disableMs / 60_000} minutes (journalctl -u ${UNIT} there)`
          : result
            ? `SSM ${result.status}${result.error ? `: ${result.error.split('\n').slice(-2).join(' ')}` : ''}`
            : `SSM command ${commandId} did not finish within ${TIMER_BUDGETS.disableMs / 60_000} minutes`;
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      disabled.push(server.name);
      failure = (error as Error).message.split('\n')[0];
    }
    return {
      disabled,
      failure: `Disabling the certificate-renewal timer of ${server.name} (it runs another cert-renewal.sh than this version's) failed: ${failure}.`,
    };
  }
  c.log(
    disabled.length === 0
      ? "  Every server runs this version's cert-renewal.sh: no renewal timer disabled."
      : `  ${disabled.join(', ')} run${disabled.length === 1 ? 's' : ''} another cert-renewal.sh than this version's (sha256 ${RENEWAL_SCRIPT_SHA256.slice(0, 12)}…), whose rule takes a restart Lease by age: ${disabled.length === 1 ? 'its renewal timer was' : 'their renewal timers were'} disabled through SSM (a reboot does not start ${disabled.length === 1 ? 'it' : 'them'}) before any server is marked out. A replaced server comes back with the new user data's; the ${c.operation} enables the others again at its end.`,
    disabled.length === 0 ? 'NO_TIMER_DISABLED' : 'TIMERS_DISABLED',
  );
  return { disabled };
}

/**
 * Once no server is out (the end, or a stop with none out): the timers this operation disabled enabled again on the
 * servers it did not replace (`names`, as `servers` holds them now). Never interrupted: a Ctrl-C that stopped the
 * operation must not leave a timer off. What could not be done is said, with what to do.
 */
export async function enableDisabledTimers(
  c: Pick<TransitionContext, 'aws' | 'log' | 'operation'>,
  servers: readonly Server[],
  names: readonly string[],
): Promise<void> {
  for (const name of names) {
    const server = servers.find((s) => s.name === name);
    let outcome = 'it is not in the state';
    if (server) {
      try {
        const { result } = await onServer(
          { aws: c.aws, interrupted: () => false },
          server,
          ENABLE_TIMER_COMMAND,
          `rancher-ha-aws ${c.operation}: renewal timer of ${name} again`,
          TIMER_BUDGETS.enableMs,
        );
        if (result?.status === 'Success') {
          c.log(`  ${name}: its renewal timer runs again (the previous cert-renewal.sh, until the server is replaced).`, 'TIMER_ENABLED');
          continue;
        }
        outcome = result ? `SSM ${result.status}` : 'SSM did not answer in time';
      } catch (error) {
        outcome = (error as Error).message.split('\n')[0];
      }
    }
    c.log(
      `  ${name}: its renewal timer could not be enabled again (${outcome}): enable it there (aws ssm start-session, then systemctl enable --now ${UNIT}.timer and rm ${DISABLED_MARK}), or roll it; without it its certificates are not renewed.`,
      'TIMER_NOT_ENABLED',
    );
  }
}
