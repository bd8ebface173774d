/**
 * Terraform string templates as they appear in JSON configuration, split
 * into literal text and `${...}` / `%{...}` sequences, and written back as
 * HCL native syntax strings. In JSON the whole string is a template; in a
 * quoted HCL string only the literal parts take backslash escapes, while the
 * sequences are HCL expression source and must be copied as they are.
 */

export interface TemplatePart {
  readonly kind: 'literal' | 'sequence';
  /** Literal text exactly as written (escapes `$${` and `%%{` kept), or a whole `${...}` / `%{...}` sequence. */
  readonly text: string;
}

/** Splits template text into literal parts and interpolation or directive sequences. */
export function templateParts(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      literal += text.slice(i, i + 3);
      i += 3;
    } else if (text.startsWith('${', i) || text.startsWith('%{', i)) {
      const end = expressionEnd(text, i + 2);
      if (literal) parts.push({ kind: 'literal', text: literal });
      literal = '';
      parts.push({ kind: 'sequence', text: text.slice(i, end) });
      i = end;
    } else {
      literal += text[i];
      i += 1;
    }
  }
  if (literal) parts.push({ kind: 'literal', text: literal });
  return parts;
}

/** Index just past the `}` that closes the sequence whose expression starts at `start`. */
function expressionEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      i = quotedEnd(text, i + 1);
    } else if (text.startsWith('<<', i)) {
      throw new Error(`a heredoc inside a template sequence is not supported: ${text.slice(start - 2, start + 60)}`);
    } else if (ch === '{') {
      depth += 1;
      i += 1;
    } else if (ch === '}') {
      if (depth === 0) return i + 1;
      depth -= 1;
      i += 1;
    } else {
      i += 1;
    }
  }
  throw new Error(`unterminated template sequence: ${text.slice(start - 2, start + 60)}`);
}

/** Index just past the closing quote of a quoted template that starts at `start` (after its opening quote). */
function quotedEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    if (text[i] === '\\') {
      i += 2;
    } else if (text[i] === '"') {
      return i + 1;
    } else if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      i += 3;
    } else if (text.startsWith('${', i) || text.startsWith('%{', i)) {
      i = expressionEnd(text, i + 2);
    } else {
      i += 1;
    }
  }
  throw new Error(`unterminated string in a template sequence: ${text.slice(start - 1, start + 60)}`);
}

/** The expression of a template that is one `${...}` and nothing else (its value keeps its type), else undefined. */
export function soleInterpolation(text: string): string | undefined {
  if (!text.startsWith('${') || text.startsWith('${~')) return undefined;
  const parts = templateParts(text);
  if (parts.length !== 1 || parts[0].kind !== 'sequence' || parts[0].text.endsWith('~}')) return undefined;
  return parts[0].text.slice(2, -1).trim();
}

/** Text that Terraform must read literally, as template text: `${` and `%{` escaped. */
export function escapeTemplateSyntax(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** Backslash escapes for literal text inside an HCL quoted string. */
function escapeQuotedLiteral(text: string): string {
  return text.replace(/[\\"\u0000-\u001f\u007f]/g, (ch) => {
    switch (ch) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

/** Template text as an HCL quoted string. */
export function quotedTemplate(text: string): string {
  return `"${templateParts(text)
    .map((part) => (part.kind === 'literal' ? escapeQuotedLiteral(part.text) : part.text))
    .join('')}"`;
}

/**
 * Template text as an HCL heredoc (`<<EOT` ... `EOT`), whose content is the
 * template text itself, or undefined when a heredoc cannot hold it exactly:
 * one line, no final newline (a heredoc always ends with one), or carriage
 * returns and other control characters.
 */
export function heredocTemplate(text: string): { open: string; lines: string[]; close: string } | undefined {
  if (!text.includes('\n') || !text.endsWith('\n') || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return undefined;
  const lines = text.slice(0, -1).split('\n');
  let marker = 'EOT';
  for (let n = 1; lines.some((line) => line.trim() === marker); n += 1) marker = `EOT${n}`;
  return { open: `<<${marker}`, lines, close: marker };
}
