/**
 * Terraform reads `${` and `%{` in any string as template syntax. Static text
 * embedded in an attribute (a shell script in user data) must escape them.
 */
export function escapeTemplate(text: string): string {
  return text.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}
