/**
 * Exit codes of the synth (`main.ts`), one per kind of failure, so a pipeline
 * can tell a mistake in the settings from a broken checkout. Documented in the
 * docs/settings-file.md ("Settings").
 */
export const EXIT_CODES = {
  /** Synthesized. */
  ok: 0,
  /** The settings are invalid: every problem is listed, each naming its field. */
  invalidSettings: 1,
  /** The settings file cannot be used: missing (RANCHER_CONFIG), not a regular file, too large, unreadable, binary. */
  settingsFile: 2,
  /** The output directory (cdktf.out, or CDKTF_OUTDIR) cannot be written: a file in its place, no permission, disk full. */
  outputDirectory: 3,
  /** Anything else (a bug, a broken environment such as an invalid CDKTF_CONTEXT_JSON): one line; RANCHER_DEBUG=1 shows the stack trace. */
  internalError: 4,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
