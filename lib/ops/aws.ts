import { CommandFailed, run } from './process';

/** The AWS CLI, always with an explicit region and JSON output. */
export class Aws {
  constructor(readonly region: string) {}

  /** Runs `aws <args>`; undefined when AWS answered with one of `gone` (the thing is already deleted). */
  call(args: readonly string[], gone: readonly string[] = [], timeoutMs = 300_000): any {
    const result = run('aws', [...args, '--region', this.region, '--output', 'json'], { timeoutMs });
    if (result.code === 0) return result.stdout.trim() === '' ? {} : JSON.parse(result.stdout);
    if (gone.some((code) => result.stderr.includes(code))) return undefined;
    throw new CommandFailed(`aws ${args.join(' ')}`, result);
  }
}

/** The region of an ARN (arn:partition:service:region:account:...). */
export function arnRegion(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region ? region : undefined;
}
