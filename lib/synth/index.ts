// What an app of its own needs for `--hcl` (docs/library.md) and for the constructs' warnings.
export { takeOutputFormat, type OutputFormat } from './output-format';
export { writeStackOutput, type StackOutput } from './stack-output';
export { constructWarnings } from './warnings';
