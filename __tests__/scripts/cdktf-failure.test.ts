// scripts/cdktf.js reads the standard error of `cdktn deploy|diff|destroy` and ends a failed one with one line instead
// of the CLI's crash (open-constructs/cdk-terrain#361, "Crash on failed deploy", open). The texts below are cdktn-cli
// 0.24.0's, as it wrote them here on Node.js 22 (frames shortened): yargs' fail handler in bundle/bin/cdktn.js writes
// the error's message and stack, then "Collecting Debug Information...", and the unhandled rejection of the same
// failure ends the process with Node.js's own report. A plan that fails is an error the CLI types as external: one
// line, no crash. The whole path, through the real CLI and Terraform: cdktf-failure.tools.test.ts and
// cdktf-node-lines.tools.test.ts.

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script of this repository, without types
const { failureFilter, failureLine } = require('../../scripts/cdktf.js') as {
  failureFilter(write: (text: string) => void): { push(chunk: string): void; end(): { failed: boolean; text?: string } };
  failureLine(command: string, text: string): string;
};

const FRAMES = [
  '    at /work/node_modules/cdktn-cli/bundle/bin/cmds/handlers.js:332:9816',
  '    at async FX.init (/work/node_modules/cdktn-cli/bundle/bin/cmds/handlers.js:332:9873)',
];
/** `deploy` stopped at `terraform init` (a provider that cannot be downloaded). */
const INIT_CRASH = [
  'terraform init failed with exit code 1',
  'Error: terraform init failed with exit code 1',
  ...FRAMES,
  'Collecting Debug Information...',
  'node:internal/process/promises:394',
  '    triggerUncaughtException(err, true /* fromPromise */);',
  '    ^',
  '',
  'Error: terraform init failed with exit code 1',
  ...FRAMES,
  '',
  'Node.js v22.23.3',
  '',
].join('\n');
/** `deploy` or `destroy` stopped at Terraform's apply: the rejection carries no Error, its message and stack print `undefined`. */
const APPLY_CRASH = [
  'undefined',
  'undefined',
  'Collecting Debug Information...',
  'node:internal/process/promises:392',
  '      new UnhandledPromiseRejection(reason);',
  '      ^',
  '',
  'UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, ' +
    'or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "Invoking Terraform CLI failed with exit code 1".',
  '    at throwUnhandledRejectionsMode (node:internal/process/promises:392:7)',
  "  code: 'ERR_UNHANDLED_REJECTION'",
  '}',
  '',
  'Node.js v22.23.3',
  '',
].join('\n');
/** A plan that fails: the CLI's own line, no crash. */
const PLAN_FAILED = 'External Error: Stack failed to plan: docker. Please check the logs for more information.\n';
/** Terraform's warnings the CLI relays on standard error during a run that goes on. */
const TERRAFORM_WARNING = [
  'There are some problems with the CLI configuration:',
  '╷',
  '│ Warning: Unable to open CLI configuration file',
  '╵',
  '',
  'Error: a line that looks like an error, followed by none of the crash',
  'and more output',
  '',
].join('\n');

/** What the filter writes and what it says at the end, the text given in `chunks`. */
function filter(chunks: readonly string[]) {
  let written = '';
  const f = failureFilter((text) => (written += text));
  for (const chunk of chunks) f.push(chunk);
  const ended = f.end();
  return { written, ...ended };
}

/** `text` cut into pieces of `size` characters, as a pipe may hand it over. */
const pieces = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

describe("scripts/cdktf.js: a failed deploy's standard error", () => {
  it.each([
    ['init', INIT_CRASH],
    ['apply', APPLY_CRASH],
    ['plan', PLAN_FAILED],
  ])('drops the CLI failure at %s from its first line on, whatever the chunks, and keeps what came before', (_, failure) => {
    for (const size of [5, 64, 100_000]) {
      const result = filter(pieces(`${TERRAFORM_WARNING}${failure}`, size));
      expect(result).toEqual({ written: TERRAFORM_WARNING, failed: true, text: failure.replace(/\n$/, '') });
    }
  });

  it('passes a run without a failure through whole, a last line without its line break included', () => {
    expect(filter([TERRAFORM_WARNING, 'Error: held, then the end'])).toEqual({
      written: `${TERRAFORM_WARNING}Error: held, then the end\n`,
      failed: false,
    });
  });

  it('ends each failure with one line naming the step that failed and what to do', () => {
    expect(failureLine('deploy', INIT_CRASH)).toMatch(
      /^terraform init failed \(Terraform's error above\): fix what it names .* run the same command again\.$/,
    );
    expect(failureLine('diff', INIT_CRASH)).toMatch(/^terraform init failed/);
    expect(failureLine('deploy', APPLY_CRASH)).toBe(
      'Terraform stopped (its error above); what it made is in the state: fix what it names and run the same command again, ' +
        'which goes on from there (docs/deploy.md, "My first apply failed").',
    );
    expect(failureLine('apply', APPLY_CRASH)).toBe(failureLine('deploy', APPLY_CRASH));
    expect(failureLine('destroy', APPLY_CRASH)).toMatch(
      /^terraform destroy stopped .* or `npm run teardown -- <stack>`, which destroys from any state/,
    );
    expect(failureLine('diff', PLAN_FAILED)).toBe(
      "terraform plan failed (Terraform's error above): fix what it names, then run the same command again.",
    );
    expect(failureLine('deploy', PLAN_FAILED)).toBe(failureLine('diff', PLAN_FAILED));
    for (const command of ['deploy', 'diff', 'destroy'])
      for (const text of [INIT_CRASH, APPLY_CRASH, PLAN_FAILED]) expect(failureLine(command, text)).not.toContain('\n');
  });

  it("names an error of the CLI's own (not Terraform's) by its message, and the way to its trace", () => {
    const own = ["TypeError: Cannot read properties of undefined (reading 'metadata')", ...FRAMES, 'Collecting Debug Information...'].join('\n');
    const result = filter([`${own}\n`]);
    expect(result).toMatchObject({ written: '', failed: true });
    expect(failureLine('deploy', result.text!)).toBe(
      "cdktn-cli stopped with an error of its own (TypeError: Cannot read properties of undefined (reading 'metadata')): RANCHER_DEBUG=1 shows its trace.",
    );
  });
});
