import { chosenPhases } from '../../../cli/acceptance/acceptance';

// The acceptance run's optional rotate phase (cli/acceptance/acceptance-rotate.ts): taken only when named.
describe('acceptance phases: rotate is optional', () => {
  it('not in a default run; --with rotate adds it after roll; --only rotate runs it alone', () => {
    expect((chosenPhases(undefined, undefined) as Set<string>).has('rotate')).toBe(false);
    const withIt = [...(chosenPhases(undefined, ['drill'], 'rke-ha', ['rotate']) as Set<string>)];
    expect(withIt.slice(withIt.indexOf('roll'), withIt.indexOf('roll') + 2)).toEqual(['roll', 'rotate']);
    expect([...(chosenPhases(['rotate'], undefined) as Set<string>)]).toEqual(['deploy', 'rotate', 'teardown', 'sweep']);
  });

  it('--with names only an optional phase, on a stack it applies to', () => {
    const refused = (code: string, text: string) => ({ code, text: expect.stringContaining(text) });
    expect(chosenPhases(undefined, undefined, 'rke-ha', ['roll'])).toEqual(
      refused('ACCEPTANCE_PHASE_NOT_OPTIONAL', '--with roll: only an optional phase (rotate) is added with --with'),
    );
    expect(chosenPhases(undefined, undefined, 'rke-ha', ['rotat'])).toEqual(refused('ACCEPTANCE_PHASE_UNKNOWN', 'Unknown phase rotat'));
    expect(chosenPhases(undefined, undefined, 'docker', ['rotate'])).toEqual(
      refused('ACCEPTANCE_PHASE_NOT_APPLICABLE', '--with rotate: that phase does not apply to docker'),
    );
    expect(chosenPhases(['rotate'], undefined, 'k8s-ha')).toEqual(
      refused('ACCEPTANCE_PHASE_NOT_APPLICABLE', '--only rotate: that phase does not apply to k8s-ha'),
    );
  });
});
