/**
 * cdktf captures an unbounded stack trace for every token it creates and formats it at once, for an error message
 * shown only when the token cannot be resolved: a tenth of a synth. The app command and every test file (through
 * __tests__/helpers/plain-stack-traces.js) leave them out unless RANCHER_DEBUG is set. The traces of real errors are
 * untouched, from any realm (jest runs a test file in a realm of its own, where `instanceof Error` misses errors made
 * outside it). If cdktf captured its traces another way, this would do nothing and the cost would come back.
 */
export function skipTokenTraces(): void {
  if (process.env.RANCHER_DEBUG) return;
  const capture = Error.captureStackTrace;
  const isError = (value: object) => Object.prototype.toString.call(value) === '[object Error]';
  Error.captureStackTrace = (target: object, below?: Parameters<typeof capture>[1]) => {
    if (isError(target)) return capture(target, below);
    // cdktf reads `stack` and keeps the lines after the first: none.
    (target as { stack?: string }).stack = '';
  };
}
