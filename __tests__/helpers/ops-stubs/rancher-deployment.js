'use strict';
// Rancher's Deployment (the chart's `rancher` in cattle-system) as kubectl answers its read and its scale, for the
// worlds' clusters that hold one: the acceptance run's deployment (fake-acceptance.js) and a k8s-ha standby's cluster
// (fake-drill.js). `holder[key]`: its replicas, 3 (the chart's default) until scaled, or 'gone' (no such Deployment:
// NotFound, as kubectl prints it). kubectl's words: `get deployment -o json` the object, `scale` prints
// `deployment.apps/NAME scaled` (the API server's Scale answer: stub-server.js). Finishes the call it answers; returns
// for any other.
function rancherDeployment(ctx, rest, holder, key) {
  const replicas = holder[key] ?? 3;
  const gone = () => ctx.finish(1, '', 'Error from server (NotFound): deployments.apps "rancher" not found\n');
  if (rest === '-n cattle-system get deployment rancher -o json') {
    if (replicas === 'gone') gone();
    ctx.finish(
      0,
      JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'rancher', namespace: 'cattle-system' }, spec: { replicas } }),
    );
  }
  const scaled = /^-n cattle-system scale deployment rancher --replicas=(\d+)$/.exec(rest);
  if (scaled) {
    if (replicas === 'gone') gone();
    holder[key] = Number(scaled[1]);
    ctx.finish(0, 'deployment.apps/rancher scaled\n');
  }
}

module.exports = { rancherDeployment };
