// The tools tier and the consumer test (jest.config.js, jest.consumer.config.js): each test there waits on processes
// it starts (terraform, bash, npm, the CLI on a pseudo-terminal), which on a loaded 2-core machine take several times
// as long as on a quiet one. jest's default limit of 5 s per test or hook is for code that runs in process; here the
// limit only ends a hang, and jest's message names it ("Exceeded timeout of ... ms"). Each process a test starts
// has its own generous limit that names the command (__tests__/helpers/subprocess.ts).
jest.setTimeout(30 * 60_000);
