import { PlainRenderer } from './plain-renderer';
import type { Renderer } from './renderer';
import { type TerminalStream, TerminalRenderer } from './terminal-renderer';

/**
 * Whether the run is in CI, by the variable CI systems set (GitHub Actions, GitLab, CircleCI...): set and neither
 * `false` nor `0`, the rule aws-cdk-cli applies (packages/aws-cdk/lib/cli/util/ci.ts). Some CI runners give their
 * jobs a terminal, so a terminal alone does not decide.
 */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== 'false' && env.CI !== '0';
}

/** The renderer of a run, chosen once: in place on a terminal outside CI, plain timestamped lines otherwise. */
export function chooseRenderer(stream: NodeJS.WritableStream & Partial<TerminalStream> & { isTTY?: boolean }, env: NodeJS.ProcessEnv): Renderer {
  if (stream.isTTY === true && !isCI(env) && typeof stream.cursorTo === 'function' && typeof stream.clearLine === 'function')
    return new TerminalRenderer(stream as TerminalStream);
  return new PlainRenderer(stream);
}
