/**
 * The Pod Security Standards' `restricted` level (Kubernetes, "Pod Security
 * Standards", latest), as the admission plugin checks a pod spec: what a pod of
 * the deployment's own must satisfy in a namespace the CIS profile does not
 * exempt. Reads a manifest's pod spec (camelCase). Returns the violations,
 * [] when the spec is admitted.
 */
const ALLOWED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

export function restrictedViolations(spec: any): string[] {
  const problems: string[] = [];
  const pod = spec.securityContext ?? {};
  const containers: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[host]) problems.push(`${host} is set`);
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (!type || !ALLOWED_VOLUMES.includes(type)) problems.push(`volume ${volume.name} is of type ${type}`);
  }
  const seccomp = (ctx: any) => ctx?.seccompProfile?.type;
  for (const c of containers) {
    const ctx = c.securityContext ?? {};
    const name = `container ${c.name}`;
    if (ctx.privileged) problems.push(`${name} is privileged`);
    if (ctx.allowPrivilegeEscalation !== false) problems.push(`${name} does not set allowPrivilegeEscalation: false`);
    if (!(ctx.capabilities?.drop ?? []).includes('ALL')) problems.push(`${name} does not drop ALL capabilities`);
    for (const added of ctx.capabilities?.add ?? []) if (added !== 'NET_BIND_SERVICE') problems.push(`${name} adds ${added}`);
    if ((ctx.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${name} may run as root (runAsNonRoot)`);
    if ((ctx.runAsUser ?? pod.runAsUser) === 0) problems.push(`${name} runs as user 0`);
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp(ctx) ?? seccomp(pod)))
      problems.push(`${name} has no RuntimeDefault or Localhost seccomp profile`);
    if ((c.ports ?? []).some((p: any) => p.hostPort)) problems.push(`${name} uses a host port`);
  }
  return problems;
}
