/**
 * Terraform reads `${` and `%{` in any string as template syntax. Static text
 * embedded in an attribute (a shell script in user data) must escape them.
 */
export function escapeTemplate(text: string): string {
  // Replacement functions, not strings: in a replacement string `$$` means one `$`.
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** Where cdktf marks a reference it will resolve (`${TfToken[TOKEN.12]}`) inside a string. */
const TOKEN_MARK = /\$\{TfToken\[[^\]]+\]\}/g;

/**
 * The references cdktf marked in `text`, in order, and the text with each
 * replaced by `${}`: what stays the same from one synth to the next (a
 * token's number does not).
 */
export function splitReferences(text: string): { readonly references: string[]; readonly skeleton: string } {
  return { references: text.match(TOKEN_MARK) ?? [], skeleton: text.replace(TOKEN_MARK, () => '${}') };
}

/**
 * Text that may carry Terraform references made with cdktf (tokens) and
 * otherwise must arrive as written: every `${` and `%{` except the tokens'
 * own is escaped. For values from the settings and for files written to a
 * node, whatever their characters.
 */
export function literal(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(TOKEN_MARK)) {
    out += escapeTemplate(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escapeTemplate(text.slice(last));
}

/** `literal` applied to every string inside a value (chart values, say). */
export function literalDeep<T>(value: T): T {
  return mapStrings(value, literal);
}

/**
 * `literalDeep` for a value passed as an argument of a Terraform function (`Fn.yamlencode(...)`): cdktf escapes
 * `${` in the strings of a function's arguments itself, but not `%{`, so only `%{` is escaped here (literalDeep
 * there would make `${` arrive as `$${`).
 */
export function literalArgument<T>(value: T): T {
  return mapStrings(value, (text) => text.replace(/%\{/g, () => '%%{'));
}

function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map)) as T;
  // Plain data only (whatever realm made it); a cdktf token object passes unchanged.
  const prototype = value && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (prototype === null || prototype?.constructor?.name === 'Object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [map(k), mapStrings(v, map)])) as T;
  }
  return value;
}

/** A JavaScript string as an HCL quoted string literal (for use inside `${...}`). */
export function hclString(text: string): string {
  const escaped = text
    .replace(/\\/g, () => '\\\\')
    .replace(/"/g, () => '\\"')
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{');
  return `"${escaped}"`;
}
