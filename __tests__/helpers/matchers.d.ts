// The matchers process-tests-setup.js adds (the tools tier).
declare namespace jest {
  interface Matchers<R> {
    /** The command's result ({ code, out, err }) ended with 0 and nothing on stderr; on failure, the end of its output. */
    toSucceed(): R;
  }
}
