import { join } from 'node:path';

/**
 * Bundles the fake AWS endpoint's server (server.ts with the fake AWS and the SDK's exception classes it throws) into
 * one file node runs: the tier's global setup does once, a test file run alone does for itself.
 */
export function buildFakeAwsEndpoint(outfile: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [join(__dirname, 'server.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
}
