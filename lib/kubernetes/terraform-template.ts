/**
 * Terraform reads `${` and `%{` in any string as template syntax. Static text
 * embedded in an attribute (a shell script in user data) must escape them.
 */
export function escapeTemplate(text: string): string {
  // Replacement functions, not strings: in a replacement string `$$` means one `$`.
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}
