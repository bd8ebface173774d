// The tools tier and the consumer test (jest.config.js, jest.consumer.config.js): each test there waits on processes
// it starts (terraform, bash, npm, the CLI on a pseudo-terminal), which on a loaded 2-core machine take several times
// as long as on a quiet one. jest's default limit of 5 s per test or hook is for code that runs in process; here the
// limit only ends a hang, and jest's message names it ("Exceeded timeout of ... ms"). Each process a test starts
// has its own generous limit that names the command (__tests__/helpers/subprocess.ts).
jest.setTimeout(30 * 60_000);

// `expect(result).toSucceed()`: a command's result ({ code, out, err }) ended with 0 and wrote nothing on its standard
// error. Its failure message carries the end of what it printed, which says why: the operations commands print their
// failures on their standard output, and a bare `toMatchObject({ code: 0, err: '' })` showed only "code 1" in a CI log.
expect.extend({
  toSucceed(result) {
    const pass = result.code === 0 && result.err === '';
    const tail = (text) => (text ?? '').split('\n').slice(-40).join('\n');
    return {
      pass,
      message: () =>
        pass
          ? 'expected the command to fail'
          : `expected exit 0 and nothing on stderr, got exit ${result.code}\n--- stderr (end) ---\n${tail(result.err)}\n--- stdout (end) ---\n${tail(result.out)}`,
    };
  },
});
