import type { Kubectl } from '../../cli/shared/kubectl';

/**
 * The Kubernetes API server's Lease behaviour that cli/shared/lease.ts relies on, in memory, for in-process conformance
 * cases (the tools tier runs the same calls through Debian's kubectl against the fake API server,
 * helpers/fake-cluster): `create` answers AlreadyExists for a Lease that exists; `replace` applies only at the
 * resourceVersion it carries (Conflict otherwise, NotFound without a Lease), as the API server's optimistic
 * concurrency does; every write moves the version on. Error lines as kubectl prints them.
 */
export class MemoryLeases {
  private readonly leases = new Map<string, { object: any; version: number }>();
  private version = 0;
  /** The writes that succeeded. */
  writes = 0;

  /** Puts a Lease object in place (a pre-state), at a new version. */
  put(object: any): void {
    this.leases.set(object.metadata.name, { object, version: ++this.version });
  }

  /** The Lease as `kubectl get -o json` prints it, or undefined. */
  get(name: string): any {
    const held = this.leases.get(name);
    return held && { ...held.object, metadata: { ...held.object.metadata, resourceVersion: String(held.version) } };
  }

  tryCall(args: readonly string[], options: { input?: string } = {}): { ok: boolean; stdout: string; stderr: string } {
    const fail = (stderr: string) => ({ ok: false, stdout: '', stderr: `${stderr}\n` });
    const at = args.indexOf('get');
    if (at >= 0 && args[at + 1] === 'lease') {
      const lease = this.get(args[at + 2]);
      return lease
        ? { ok: true, stdout: JSON.stringify(lease), stderr: '' }
        : fail(`Error from server (NotFound): leases.coordination.k8s.io "${args[at + 2]}" not found`);
    }
    const body = options.input === undefined ? undefined : JSON.parse(options.input);
    const name: string = body?.metadata?.name;
    if (args[0] === 'create') {
      if (this.leases.has(name)) return fail(`Error from server (AlreadyExists): leases.coordination.k8s.io "${name}" already exists`);
    } else if (args[0] === 'replace') {
      const held = this.leases.get(name);
      if (!held) return fail(`Error from server (NotFound): leases.coordination.k8s.io "${name}" not found`);
      if (body.metadata.resourceVersion !== String(held.version))
        return fail(
          `Error from server (Conflict): Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
    } else return fail(`memory leases: unexpected call kubectl ${args.join(' ')}`);
    const { resourceVersion: _version, ...metadata } = body.metadata;
    this.put({ ...body, metadata });
    this.writes++;
    return { ok: true, stdout: `lease.coordination.k8s.io/${name} ${args[0] === 'create' ? 'created' : 'replaced'}\n`, stderr: '' };
  }

  call(args: readonly string[], options: { input?: string } = {}): string {
    const result = this.tryCall(args, options);
    if (!result.ok) throw new Error(result.stderr);
    return result.stdout;
  }

  /** This, where the lease functions take a Kubectl (they call tryCall and call only). */
  asKubectl(): Kubectl {
    return this as unknown as Kubectl;
  }
}
