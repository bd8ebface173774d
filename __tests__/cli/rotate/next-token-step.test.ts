import { nextTokenStep, type ServerView, type TokenStatus } from '../../../cli/rotate/rotate';

// nextTokenStep on the states rotate-token.sh `status` reports, once the parameter holds the new token (k3s `token
// rotate`, docs/design-notes.md "Rotate"): `token rotate` on one server writes its server/token; every other server
// keeps the old token until its token file has the new one and it restarts.

function server(name: string, status: Partial<TokenStatus> = {}, healthy = true): ServerView {
  return { name, healthy, status: { config: false, server: false, startedAfterConfig: false, clusterHealthy: healthy, ...status } };
}

const ROTATED: Partial<TokenStatus> = { config: true, server: true, startedAfterConfig: true };

describe('nextTokenStep', () => {
  it('rotates the cluster token on the first healthy server while no data directory holds the new token', () => {
    const servers = [server('server-0', {}, false), server('server-1'), server('server-2')];
    expect(nextTokenStep(servers)).toEqual({ kind: 'rotate', server: 'server-1' });
  });

  it('waits for every server when none holds the new token and none is healthy', () => {
    const servers = [server('server-0', {}, false), server('server-1', {}, false)];
    expect(nextTokenStep(servers)).toEqual({ kind: 'wait', unhealthy: ['server-0', 'server-1'] });
  });

  it('rotates no second time once one server holds the new token: writes the token file of every server without it', () => {
    const servers = [server('server-0', { server: true, config: true }), server('server-1'), server('server-2')];
    expect(nextTokenStep(servers)).toEqual({ kind: 'config', servers: ['server-1', 'server-2'] });
  });

  it('writes the stale token files before any wait for health (a server starting with the old token is refused)', () => {
    const servers = [server('server-0', { server: true, config: true }), server('server-1', { config: true }, false), server('server-2')];
    expect(nextTokenStep(servers)).toEqual({ kind: 'config', servers: ['server-2'] });
  });

  it('restarts the first server not started since its token file was written, every file holding the new token', () => {
    const servers = [server('server-0', { server: true, config: true }), server('server-1', { config: true }), server('server-2', { config: true })];
    expect(nextTokenStep(servers)).toEqual({ kind: 'restart', server: 'server-0' });
  });

  it('restarts nothing while a server is unhealthy', () => {
    const servers = [server('server-0', ROTATED), server('server-1', { config: true, server: true }, false), server('server-2', { config: true })];
    expect(nextTokenStep(servers)).toEqual({ kind: 'wait', unhealthy: ['server-1'] });
  });

  it('is done when every server holds the new token and started after its token file was written', () => {
    expect(nextTokenStep(['server-0', 'server-1', 'server-2'].map((name) => server(name, ROTATED)))).toEqual({ kind: 'done' });
  });
});
