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

export class SettingsError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly SettingsProblem[],
  ) {
    super(formatProblems(source, problems));
    this.name = 'SettingsError';
  }
}

function describe(value: unknown): string {
  if (value === undefined) return '';
  // Infinity and NaN would print as null; credentials in a URL must not reach CI logs.
  const raw = typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  const text = raw?.replace(/(\/\/)[^/@\s"]+@/g, '$1***@');
  const shown = text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return ` (got ${shown})`;
}

export function formatProblems(source: string, problems: readonly SettingsProblem[]): string {
  const noun = problems.length === 1 ? 'problem' : 'problems';
  const lines = problems.map((p) => `  - ${p.field}: ${p.message}${describe(p.value)}`);
  return [`Invalid settings in ${source} (${problems.length} ${noun}):`, ...lines].join('\n');
}
