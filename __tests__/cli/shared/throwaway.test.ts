import { phaseRunner, StepFailed, type TimedPhase } from '../../../cli/shared/throwaway';

// A report's phase runner (cli/shared/throwaway.ts phaseRunner), which the drill, the acceptance run, the failover
// and the failback record their phases through: what a phase's record says when it passes, with or without a detail
// of its own, and when it fails.

function runner() {
  const results: TimedPhase<'one' | 'two'>[] = [];
  const logged: string[] = [];
  const entered: string[] = [];
  const run = phaseRunner<'one' | 'two'>({
    interrupted: () => false,
    results,
    enter: (name) => entered.push(name),
    log: (line) => logged.push(line),
  });
  return { run, results, logged, entered };
}

describe('phaseRunner', () => {
  it('records a passed phase with the detail its step gave, and one without a detail as passed alone', async () => {
    const { run, results, entered } = runner();
    expect(await run('one', (phase) => (phase.detail('Rancher scaled from 3 to 0'), 42))).toBe(42);
    expect(await run('two', () => 'plain')).toBe('plain');
    expect(entered).toEqual(['one', 'two']);
    expect(results).toEqual([
      { phase: 'one', status: 'passed', seconds: expect.any(Number), detail: 'Rancher scaled from 3 to 0' },
      { phase: 'two', status: 'passed', seconds: expect.any(Number) },
    ]);
    expect(Object.keys(results[1])).not.toContain('detail');
  });

  it('records a failed phase with the failure as its detail, not the detail its step gave before failing', async () => {
    const { run, results, logged } = runner();
    await expect(
      run('one', (phase) => {
        phase.detail('half done');
        throw new StepFailed('the cluster did not answer');
      }),
    ).rejects.toThrow('the cluster did not answer');
    expect(results).toEqual([{ phase: 'one', status: 'failed', seconds: expect.any(Number), detail: 'the cluster did not answer' }]);
    expect(logged).toEqual(['one: the cluster did not answer']);
  });
});
