import type { ClientsOfRegion } from './aws/clients';
import type { IoHost } from './io/io-host';

/**
 * The commands other commands run, as those call them: the acceptance run rolls, rotates, drills, fails over, fails
 * back and tears down as a person would; the drill tears its throwaway down, and the failback the standby. cli/main.ts, the one module that knows every command, hands
 * each caller these entries, so a command's folder imports no other command's (__tests__/cli/command-folders.test.ts).
 * Each type names only what the callers pass; main.ts's type check holds it to the command's own options. The roll,
 * rotate and drill tell through the caller's I/O host (their spans nest in its own); the teardown still takes `log`.
 */

/**
 * `rancher-ha-aws teardown` without its confirmation, of a deployment a command made itself: telling through the
 * caller's I/O host (the drill's), or as lines to `log` (the acceptance run's).
 */
export type TeardownEntry = (options: {
  readonly dir: string;
  readonly label: string;
  readonly keepSnapshots: boolean;
  readonly yes: boolean;
  readonly io: IoHost;
  /** The caller's AWS SDK clients by region (the drill's, which tests give the fake AWS). */
  readonly aws?: ClientsOfRegion;
  /** The caller's signal (the failback's): the destroy in flight is sent SIGINT, and the teardown stops before its next step. */
  readonly stop?: AbortSignal;
}) => Promise<number>;

/** `rancher-ha-aws roll --server <name>`. */
export type RollEntry = (options: {
  readonly dir: string;
  readonly label: string;
  readonly server: string;
  readonly interrupted: () => boolean;
  readonly io: IoHost;
  /** The caller's AWS SDK clients by region (the acceptance run's). */
  readonly aws?: ClientsOfRegion;
}) => Promise<number>;

/** `rancher-ha-aws rotate <what>`, one entry for each thing rotated. */
export type RotateEntry<R extends 'token' | 'encryption-key'> = (options: {
  readonly dir: string;
  readonly label: string;
  readonly rotation: R;
  readonly tokenFile?: string;
  readonly interrupted: () => boolean;
  readonly io: IoHost;
  readonly aws?: ClientsOfRegion;
}) => Promise<number>;

/** `rancher-ha-aws drill` against a deployment of the caller's, its throwaway under the caller's folder. */
export type DrillEntry = (options: {
  readonly stack: string;
  readonly productionDir: string;
  readonly settingsPath: string;
  readonly root: string;
  readonly synthScript: string;
  readonly pingMinutes?: number;
  readonly teardownOnly?: boolean;
  readonly interrupted: () => boolean;
  readonly stop?: AbortSignal;
  readonly io: IoHost;
  readonly aws?: ClientsOfRegion;
}) => Promise<number>;

/** `rancher-ha-aws failover` of a deployment of the caller's (the acceptance run's), without its typed confirmation. */
export type FailoverEntry = (options: {
  readonly stack: string;
  readonly productionDir: string;
  readonly settingsPath: string;
  readonly root: string;
  readonly synthScript: string;
  readonly yes: boolean;
  /** `--prepare`: the standby's pilot light applied ahead, no failover (cli/failover/prepare.ts). */
  readonly prepare?: boolean;
  readonly pingMinutes?: number;
  readonly interrupted: () => boolean;
  readonly stop?: AbortSignal;
  readonly io: IoHost;
  /** The caller's AWS SDK clients by region (the acceptance run's). */
  readonly clients?: ClientsOfRegion;
}) => Promise<number>;

/** `rancher-ha-aws failback` after the caller's failover (its folder), without its typed confirmation. */
export type FailbackEntry = (options: {
  readonly stack: string;
  readonly productionDir: string;
  readonly settingsPath: string;
  readonly failoverRoot: string;
  readonly root: string;
  readonly synthScript: string;
  readonly yes: boolean;
  /** Leaves the standby up: the caller tears it down itself. */
  readonly keepStandby?: boolean;
  readonly pingMinutes?: number;
  readonly interrupted: () => boolean;
  readonly stop?: AbortSignal;
  readonly io: IoHost;
  /** The caller's AWS SDK clients by region (the acceptance run's). */
  readonly clients?: ClientsOfRegion;
}) => Promise<number>;
