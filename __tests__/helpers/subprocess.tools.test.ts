import { ProcessTimedOut, runBounded, runBoundedAsync } from './subprocess';

// The process limit of the tests says so when it fires, with the command and the limit (the consumer test's
// `npm pack` once reported only `failed (null)`). A short limit on a sleep that outlasts it, here only.
describe('a process the time limit ends', () => {
  const message = 'sleep 30 did not finish within 0.2 s, the time limit the test gives it (__tests__/helpers/subprocess.ts), and was killed';

  it('runBounded throws, naming the command and the limit', () => {
    expect(() => runBounded('sleep', ['30'], { timeout: 200 })).toThrow(new ProcessTimedOut(message));
  });

  it('runBoundedAsync rejects the same way', async () => {
    await expect(runBoundedAsync('sleep', ['30'], { timeoutMs: 200 })).rejects.toThrow(message);
  });

  it('a process that finishes in time is returned as it ended', async () => {
    expect(runBounded('sh', ['-c', 'echo out; echo err >&2; exit 3'])).toMatchObject({ status: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(await runBoundedAsync('sh', ['-c', 'echo out; exit 4'])).toMatchObject({ status: 4, signal: null, stdout: 'out\n' });
  });
});
