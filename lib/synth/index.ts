// What an app of its own needs for `--hcl` (docs/library.md) and for the constructs' warnings.
export { takeOutputFormat, writeStackOutput, type OutputFormat, type StackOutput } from './stack-output';
export { constructWarnings } from './warnings';
