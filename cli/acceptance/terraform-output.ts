import type { IoHost } from '../shared/io/io-host';
import { run, type RunResult } from '../shared/process';
import { terraformBinary } from '../shared/terraform';

/**
 * Terraform's output in an acceptance run, each line a message of the run's (`ACCEPTANCE_TERRAFORM_OUTPUT`), as the
 * drill's: above a terminal's status line rather than through it, and on standard error with `--json`.
 */
export const terraformOutput = (io: IoHost) => io.lines('ACCEPTANCE_TERRAFORM_OUTPUT');

/** `terraform init` in a folder, synchronous as before (a signal waits for it), its output through the host once it ends. */
export function initShown(dir: string, io: IoHost): RunResult {
  const init = run(terraformBinary(), ['init', '-input=false'], { cwd: dir, timeoutMs: 900_000 });
  const shown = terraformOutput(io);
  for (const line of `${init.stdout}${init.stderr}`.split('\n')) if (line.trim() !== '') shown(line);
  return init;
}
