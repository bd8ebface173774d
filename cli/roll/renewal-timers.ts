import { createHash } from 'node:crypto';
import CERT_RENEWAL from '../../lib/kubernetes/cert-renewal.sh';
import { CERT_RENEWAL_PATH as SCRIPT, CERT_RENEWAL_UNIT as UNIT } from '../../lib/kubernetes/object-names';

/**
 * The servers' certificate renewal as the roll meets it during the roll that installs a new cert-renewal.sh: a
 * server keeps the script its user data installed until it is replaced, and the previous script takes a Lease by
 * age whatever server it marks out and counts the Nodes that exist (issue 32's race). So before the roll marks any
 * server out, it stops the timer of every server whose script differs from this version's, and starts again, at its
 * end, those of the servers it did not replace (design notes, "Who may restart a server").
 */

/** The SHA-256 of this version's cert-renewal.sh, as the servers' user data writes it. */
export const RENEWAL_SCRIPT_SHA256 = createHash('sha256').update(CERT_RENEWAL).digest('hex');

/** What the stop command printed on one server. */
export type TimerCheck = 'current' | 'stopped' | 'still-running';

/**
 * The command run through SSM on one server: nothing when its script is this version's; otherwise its timer
 * stopped (no new run starts) and a run under way waited for (its own restart wait bounds it: 15 minutes), within
 * `waitSeconds`. It prints `renewal-timer=<TimerCheck>`.
 */
export function stopOldTimerCommand(waitSeconds: number, sha256 = RENEWAL_SCRIPT_SHA256): string {
  const looks = Math.max(1, Math.ceil(waitSeconds / 5));
  return [
    `if [ -f ${SCRIPT} ] && [ "$(sha256sum ${SCRIPT} | cut -d' ' -f1)" = "${sha256}" ]; then echo renewal-timer=current; exit 0; fi`,
    `systemctl stop ${UNIT}.timer 2>/dev/null || true`,
    `i=0; while systemctl is-active --quiet ${UNIT}.service && [ $i -lt ${looks} ]; do sleep 5; i=$((i+1)); done`,
    `if systemctl is-active --quiet ${UNIT}.service; then echo renewal-timer=still-running; exit 1; fi`,
    'echo renewal-timer=stopped',
  ].join('\n');
}

/** The command that starts a stopped timer again (a server the roll did not replace). */
export const START_TIMER_COMMAND = `systemctl start ${UNIT}.timer`;

/** The verdict a stop command printed, or undefined when it printed none. */
export function timerCheckOf(output: string): TimerCheck | undefined {
  return /^renewal-timer=(current|stopped|still-running)$/m.exec(output)?.[1] as TimerCheck | undefined;
}
