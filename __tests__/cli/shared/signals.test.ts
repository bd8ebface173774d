import { endReadsInFlightOn, readStop } from '../../../cli/shared/in-flight';
import { stopAfterStep, stopOnSignals } from '../../../cli/shared/signals';

// The handlers are this process's own: each test takes back the ones it added, and process.exit is held.
describe("the commands' signal handling", () => {
  let before: { SIGINT: NodeJS.SignalsListener[]; SIGTERM: NodeJS.SignalsListener[] };
  let stderr: jest.SpyInstance;
  let exit: jest.SpyInstance;
  beforeEach(() => {
    before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
  });
  afterEach(() => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      for (const l of process.listeners(signal)) if (!before[signal].includes(l)) process.removeListener(signal, l);
    stderr.mockRestore();
    exit.mockRestore();
  });

  it('stop a resumable command after the step in flight, saying what a second signal does; the second leaves with 130', () => {
    const interrupted = stopAfterStep('again to stop at once');
    expect(interrupted()).toBe(false);
    // Its calls in flight are not ended: the step finishes (in-flight.ts).
    expect(readStop()).toBeUndefined();
    process.emit('SIGTERM', 'SIGTERM');
    expect(interrupted()).toBe(true);
    expect(stderr).toHaveBeenCalledWith('rancher-ha-aws: SIGTERM: stopping after the step in flight (again to stop at once).\n');
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGINT', 'SIGINT');
    expect(exit).toHaveBeenCalledWith(130);
  });

  it('abort a throwaway command on the first signal, name how to finish it on the second, leave with 130 on the third', () => {
    const stopping = stopOnSignals('the drill', '`npm run drill -- <stack> --teardown` finishes it');
    // The reads in flight end with the first signal; the calls after it (the teardown's) are not ended.
    expect(readStop()).toBe(stopping);
    process.emit('SIGINT', 'SIGINT');
    expect(stopping.aborted).toBe(true);
    expect(readStop()).toBeUndefined();
    endReadsInFlightOn(undefined);
    expect(stderr).toHaveBeenLastCalledWith('rancher-ha-aws: SIGINT: stopping the drill.\n');
    process.emit('SIGTERM', 'SIGTERM');
    expect(stderr).toHaveBeenLastCalledWith(
      'rancher-ha-aws: SIGTERM: stopping the drill (once more to leave at once: `npm run drill -- <stack> --teardown` finishes it).\n',
    );
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGTERM', 'SIGTERM');
    expect(exit).toHaveBeenCalledWith(130);
  });
});
