/**
 * A mistake in the settings: reported to a person, never as a stack trace.
 * Carries every problem found, so one run shows them all.
 */
export interface SettingsProblem {
  /** Dotted path of the field, e.g. `rkeHa.instanceType`; `(file)` for the file itself. */
  readonly field: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
  /** The value given, when there is one. */
  readonly value?: unknown;
}

/** Problems listed one a line; the rest is counted ("... and N more"), so a flood of mistakes stays readable. */
export const MAX_PROBLEMS_SHOWN = 50;

/** The settings are wrong: a person fixes the file. */
export class SettingsError extends Error {
  constructor(
    /** Where the settings came from: the file's path, or the construct given the props (`RancherOnDocker <path>`). */
    readonly source: string,
    /** Every problem found, in the order found. */
    readonly problems: readonly SettingsProblem[],
    header = 'Invalid settings in',
  ) {
    super(formatProblems(source, problems, header));
    this.name = 'SettingsError';
    // Kept for code that reads them, but not enumerable: Node prints an uncaught error's own enumerable properties after
    // its stack, and the problems would follow the message a second time as an object dump.
    for (const key of ['source', 'problems'] as const) Object.defineProperty(this, key, { enumerable: false });
  }
}

/**
 * The settings file itself cannot be used (missing, a directory, a device,
 * too large, unreadable, binary): nothing in it was read as settings.
 */
export class SettingsFileError extends SettingsError {
  constructor(source: string, problems: readonly SettingsProblem[]) {
    super(source, problems, 'Cannot use the settings file');
    this.name = 'SettingsFileError';
  }
}

// Control, line-separator and bidirectional-override characters would let a key or value rewrite the terminal
// or fake a line of the report; they are shown escaped.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const escapeUnprintable = (text: string) => text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const MAX_SHOWN_CHARS = 80;

function describe(value: unknown): string {
  if (value === undefined) return '';
  // Infinity and NaN would print as null; credentials in a URL must not reach CI logs.
  const raw = typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  const text = raw?.replace(/(\/\/)[^/@\s"]+@/g, '$1***@');
  const shown = text === undefined ? String(value) : text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS - 3)}...` : text;
  return ` (got ${escapeUnprintable(shown)})`;
}

/** A field path as shown: unprintable characters escaped, an absurdly long key cut. */
function showField(field: string): string {
  const escaped = escapeUnprintable(field);
  return escaped.length > 200 ? `${escaped.slice(0, 197)}...` : escaped;
}

export function formatProblems(source: string, problems: readonly SettingsProblem[], header = 'Invalid settings in'): string {
  const noun = problems.length === 1 ? 'problem' : 'problems';
  const lines = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => `  - ${showField(p.field)}: ${p.message}${describe(p.value)}`);
  const hidden = problems.length - MAX_PROBLEMS_SHOWN;
  if (hidden > 0) lines.push(`  ... and ${hidden} more ${hidden === 1 ? 'problem' : 'problems'}`);
  return [`${header} ${showField(source)} (${problems.length} ${noun}):`, ...lines].join('\n');
}
