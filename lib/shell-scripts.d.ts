/**
 * The node and in-cluster shell scripts (lib/**\/*.sh) are imported as text:
 * the builds inline them (esbuild's text loader), jest through
 * scripts/jest-text-transform.js. Nothing reads a file at construct time, so
 * a consumer's bundler needs no asset handling.
 */
declare module '*.sh' {
  const text: string;
  export default text;
}
