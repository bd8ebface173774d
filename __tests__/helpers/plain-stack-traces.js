// cdktf records a stack trace for every token it creates
// (Error.captureStackTrace on a plain object with Error.stackTraceLimit
// lifted to MAX_SAFE_INTEGER, then read at once). Inside jest each frame went
// through source-map-support, and even unmapped the frames cost a fifth of a
// stack synth. Those traces are shown only when a token fails to resolve, so
// tests record none unless RANCHER_TEST_TOKEN_TRACES=1 (then: full, mapped).
// Traces of real errors (of any realm) are untouched.
if (process.env.RANCHER_TEST_TOKEN_TRACES !== '1') {
  const isError = (value) => Object.prototype.toString.call(value) === '[object Error]';
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = function captureStackTrace(target, below) {
    if (isError(target)) return capture(target, below);
    // cdktf reads `stack` and keeps the lines after the first: none here.
    target.stack = '';
    return undefined;
  };
}
