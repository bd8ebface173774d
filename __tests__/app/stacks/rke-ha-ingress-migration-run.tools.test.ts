import type { SettingsInput } from '../../../app/config/settings-schema';
import { refusals, type History } from '../../helpers/guard';
import { resources, type TerraformJson, userDataOf } from '../../helpers/synth';
import { describeWithTerraform } from '../../helpers/terraform';
import { NGINX, synth, with_ } from './rke-ha-day2.setup';

/**
 * The move off ingress-nginx run end to end on a stand-in of the cluster and the load balancer, driven by the
 * synthesized modules of each step, with every apply first put to the guard (evaluated by terraform, with the records
 * the stand-in's servers hold) and Rancher's reachability through the load balancer checked after every action, including at
 * every point where a kill -9 can leave the move (between an apply and its roll, between two servers of a roll):
 * from each such point the move resumes, or goes back the documented way, or (after the first server of done's roll)
 * the guard refuses going back.
 *
 * The stand-in of RKE2 (v1.35.7+rke2r1): a server lists its controllers in config.yaml (its held user data, taken when
 * the roll replaces it); at its start every controller it does not list is put on the --disable list
 * (pkg/cli/cmds/server.go, disableExceptSelected) and every packaged chart is copied into its manifests folder
 * (pkg/bootstrap/bootstrap.go, UpdateManifests), where K3s' deploy controller applies the listed ones and deletes the
 * disabled ones with everything they installed, cluster-wide (k3s pkg/deploy/controller.go, listFilesIn and delete).
 * Between starts nothing changes a chart (the files keep their mtime). ingress-nginx's DaemonSet holds host ports 80
 * and 443 on every node; Traefik's those of its HelmChartConfig (80/443 by default: a pod that cannot bind a port
 * another holds stays Pending, so it serves nothing on that node). A controller serves the Ingresses of its class.
 * The balancer, in each TLS mode: the NLB passes 80 and 443 through to the same kind of port (HTTP, TLS); the ALB of
 * TLS at the load balancer ends TLS on its HTTPS listener and sends HTTP to the controller's HTTP port (its port 80
 * redirects and reaches no server).
 */
type Controller = 'ingress-nginx' | 'traefik';
type Step = 'none' | 'beside' | 'moved' | 'done';
const STEPS: Step[] = ['none', 'beside', 'moved', 'done'];
/**
 * The TLS modes, each a deployment created with ingress-nginx: TLS at the ingress (the NLB's 80 and 443 move), at the
 * ALB (its HTTPS listener moves; its port 80 redirects), re-encrypted to Rancher's pods (as at the ingress).
 */
const MODES: Record<string, SettingsInput> = {
  ingress: NGINX,
  external: with_(NGINX, { rancher: { tls: { mode: 'external', issuer: 'acme' } } }),
  rancher: with_(NGINX, { rancher: { tls: { mode: 'rancher' } } }),
};

/** What a step's module asks for, as the stand-in reads it. */
interface Wanted {
  /** Per server, what its config.yaml lists. */
  readonly controllers: Controller[][];
  /**
   * Listener port → target port, and the controller's port it must reach there: `web` (HTTP: the NLB's 80, or the ALB's
   * HTTPS listener, which ends TLS) or `websecure` (the NLB's 443, TLS passed through).
   */
  readonly targets: Record<number, { readonly port: number; readonly entry: 'web' | 'websecure' }>;
  /** The classes of Rancher's Ingresses: its chart's, and the bridge's when there is one. */
  readonly rancherClasses: string[];
  /** Traefik's host ports for web and websecure. */
  readonly traefikPorts: Record<number, number>;
}
function wanted(json: TerraformJson): Wanted {
  const controllers = Object.entries(resources(json, 'aws_instance'))
    .filter(([name]) => name.startsWith('server-'))
    .map(([, i]) => /ingress-controller:\n((?: {8}- [a-z-]+\n)+)/.exec(userDataOf(json, i))![1].match(/[a-z-]+(?=\n)/g) as Controller[]);
  // The listeners that forward users to the servers (the ALB's port 80 redirects), each to a target group named by its
  // port (the ALB's first group is port 80's, `tg-http`).
  const targets = Object.fromEntries(
    Object.values(resources(json, 'aws_lb_listener'))
      .filter((l) => l.port !== 6443 && l.default_action[0].type === 'forward')
      .map((l) => {
        const group = /_tg-(?:http-)?(\d+)_|_tg-(http)_/.exec(l.default_action[0].target_group_arn)!;
        const entry = l.protocol === 'HTTPS' || l.port === 80 ? 'web' : 'websecure';
        return [l.port, { port: group[2] ? 80 : Number(group[1]), entry }];
      }),
  );
  const values = Object.values(resources(json, 'helm_release')).find((r) => r.chart === 'rancher').values[0] as string;
  const rancherClasses = [/"ingressClassName" = "(\w+)"/.exec(values)![1], ...(values.includes('"rancher-traefik"') ? ['traefik'] : [])];
  const hostPorts = [...values.matchAll(/hostPort: (\d+)/g)].map((m) => Number(m[1]));
  return { controllers, targets, rancherClasses, traefikPorts: hostPorts.length ? { 80: hostPorts[0], 443: hostPorts[1] } : { 80: 80, 443: 443 } };
}
const SERVERS = [0, 1, 2];
const CLASS: Record<Controller, string> = { 'ingress-nginx': 'nginx', traefik: 'traefik' };

/** A mode's synthesized modules, one per step, and what each asks for. */
interface Mode {
  readonly modules: Record<Step, TerraformJson>;
  readonly wanted: Record<Step, Wanted>;
}
function modeOf(base: SettingsInput): Mode {
  const settingsOf = (s: Step): SettingsInput =>
    s === 'none' ? base : with_(base, { rkeHa: { ingressController: 'traefik', ingressMigration: s } });
  const modules = Object.fromEntries(STEPS.map((s) => [s, synth(settingsOf(s))])) as Record<Step, TerraformJson>;
  return { modules, wanted: Object.fromEntries(STEPS.map((s) => [s, wanted(modules[s])])) as Record<Step, Wanted> };
}

/** The stand-in: the servers, the charts installed in the cluster, what the last apply set, the servers' records. */
class World {
  constructor(private readonly mode: Mode) {}

  step: Step = 'none';
  readonly running: Controller[][] = SERVERS.map(() => ['ingress-nginx']);
  readonly up = SERVERS.map(() => true);
  readonly installed = new Set<Controller>(['ingress-nginx']);
  /** ServerNode.runningRecord per server while a step is set (undefined: no record). */
  records: (string | undefined)[] = SERVERS.map(() => undefined);
  readonly log: string[] = [];

  clone(): World {
    const w = new World(this.mode);
    w.step = this.step;
    SERVERS.forEach((i) => {
      w.running[i] = [...this.running[i]];
      w.up[i] = this.up[i];
    });
    w.installed.clear();
    this.installed.forEach((c) => w.installed.add(c));
    w.records = [...this.records];
    return w;
  }

  /** What the guard says of an apply of `next` now (terraform evaluates the preconditions). */
  refusalsOf(next: Step): string[] {
    const history: History = {
      recorded: { 'rkeHa.ingressController': 'ingress-nginx' },
      ...(this.records[0] !== undefined ? { running: { 'ingress-controllers': this.records.map(String) } } : {}),
    };
    return refusals(this.mode.modules[this.step], this.mode.modules[next], undefined, history);
  }

  /** An apply the guard takes: the listeners and Rancher's release change; the servers hold their user data. */
  apply(next: Step): void {
    const refused = this.refusalsOf(next);
    if (refused.length) throw new Error(`the guard refused ${this.step} -> ${next}: ${refused.join(' | ')}`);
    const list = (i: number) => this.mode.wanted[next].controllers[i].join(',');
    // Records are written where missing (a running server whose user data is not the new one: "held"), kept otherwise.
    this.records =
      next === 'none'
        ? SERVERS.map(() => undefined)
        : SERVERS.map((i) => this.records[i] ?? (this.running[i].join(',') === list(i) ? list(i) : 'held'));
    this.step = next;
    this.check(`apply ${next}`);
  }

  /** The roll, one server: out of the balancer, replaced, started with the step's user data. */
  roll(i: number): void {
    this.up[i] = false;
    this.check(`roll ${this.step}: server-${i} out`);
    this.running[i] = [...this.mode.wanted[this.step].controllers[i]];
    this.up[i] = true;
    for (const c of ['ingress-nginx', 'traefik'] as const) {
      if (this.running[i].includes(c)) this.installed.add(c);
      else this.installed.delete(c);
    }
    if (this.step !== 'none') this.records[i] = this.running[i].join(',');
    this.check(`roll ${this.step}: server-${i} back`);
  }

  /** The servers whose user data is not the step's (servers_pending_replacement). */
  pending(): number[] {
    return SERVERS.filter((i) => this.running[i].join(',') !== this.mode.wanted[this.step].controllers[i].join(','));
  }

  /**
   * Rancher answers on public `port` through the balancer: a target up where a controller serving one of its classes
   * listens on the port the listener forwards to (ingress-nginx on 80 and 443; Traefik on its host ports, unless
   * ingress-nginx holds them).
   */
  reachable(port: number): boolean {
    const want = this.mode.wanted[this.step];
    const { port: target, entry } = want.targets[port];
    // Each controller's port for that entry point: ingress-nginx's 80 (HTTP) and 443, Traefik's web and websecure.
    const nginxPort = entry === 'web' ? 80 : 443;
    const traefikPort = want.traefikPorts[nginxPort];
    return SERVERS.some((i) => {
      if (!this.up[i]) return false;
      const listening: Controller[] = [];
      if (this.installed.has('ingress-nginx') && target === nginxPort) listening.push('ingress-nginx');
      // Traefik binds its host port unless ingress-nginx holds it.
      if (
        this.installed.has('traefik') &&
        traefikPort === target &&
        !(this.installed.has('ingress-nginx') && (traefikPort === 80 || traefikPort === 443))
      )
        listening.push('traefik');
      return listening.some((c) => want.rancherClasses.includes(CLASS[c]));
    });
  }

  /** The public ports whose listener forwards to the servers. */
  ports(): number[] {
    return Object.keys(this.mode.wanted[this.step].targets).map(Number);
  }

  check(action: string): void {
    this.log.push(
      `${action}: ${this.ports()
        .map((p) => `${p} ${this.reachable(p) ? 'up' : 'DOWN'}`)
        .join(', ')}`,
    );
  }

  downs(): string[] {
    return this.log.filter((l) => l.includes('DOWN'));
  }
}

/** The move forward, as the docs give it: each action a point a kill -9 can stop after. */
const FORWARD: ((w: World) => void)[] = [
  (w) => w.apply('beside'),
  ...SERVERS.map((i) => (w: World) => w.roll(i)),
  (w) => w.apply('moved'),
  (w) => w.apply('done'),
  ...SERVERS.map((i) => (w: World) => w.roll(i)),
];

/** The way back from where a move stopped (docs/ingress-migration.md): one step at a time, rolling where user data changed. */
function goBack(w: World): void {
  const back: Record<Step, Step | undefined> = { done: 'moved', moved: 'beside', beside: 'none', none: undefined };
  for (let step = back[w.step]; step !== undefined; step = back[step]) {
    w.apply(step);
    for (const i of w.pending()) w.roll(i);
  }
  for (const i of w.pending()) w.roll(i);
}

describeWithTerraform.each(Object.keys(MODES))(
  'rke-ha off ingress-nginx, TLS mode %s, run end to end on a stand-in of the cluster and the balancer',
  (name) => {
    const mode = modeOf(MODES[name]);

    it('forward: every apply taken by the guard, Rancher reachable through every listener after every action, ingress-nginx gone at the end', () => {
      const w = new World(mode);
      for (const action of FORWARD) action(w);
      expect(w.downs()).toEqual([]);
      expect([...w.installed]).toEqual(['traefik']);
      expect(w.running).toEqual(SERVERS.map(() => ['traefik']));
      expect(w.records).toEqual(SERVERS.map(() => 'traefik'));
    });

    // Where a kill -9 can leave the move: after each action (the apply, or one server of a roll).
    const points = FORWARD.map((_, n) => n + 1);
    const noReturn = FORWARD.length - SERVERS.length + 1;

    it.each(points)('stopped after action %i: resumed, the move ends as if never stopped', (n) => {
      const w = new World(mode);
      FORWARD.slice(0, n).forEach((action) => action(w));
      // Resuming is running the stopped action's step again: the apply (idempotent) and the roll of what is pending.
      w.apply(w.step);
      FORWARD.slice(n).forEach((action) => action(w));
      expect(w.downs()).toEqual([]);
      expect([...w.installed]).toEqual(['traefik']);
    });

    it.each(points.filter((n) => n < noReturn))('stopped after action %i: rolled back one step at a time, Rancher reachable throughout', (n) => {
      const w = new World(mode);
      FORWARD.slice(0, n).forEach((action) => action(w));
      goBack(w);
      expect(w.downs()).toEqual([]);
      expect(w.step).toBe('none');
      expect([...w.installed]).toEqual(['ingress-nginx']);
      expect(w.running).toEqual(SERVERS.map(() => ['ingress-nginx']));
    });

    it.each(points.filter((n) => n >= noReturn))('stopped after action %i (a server of done rolled): the guard refuses going back', (n) => {
      const w = new World(mode);
      FORWARD.slice(0, n).forEach((action) => action(w));
      expect(w.refusalsOf('moved').join('\n')).toContain('ingressMigration is "moved", but server-0 runs "traefik"');
    });

    it('the stand-in sees an outage where one is: the listeners moved to Traefik before the servers run it', () => {
      const w = new World(mode);
      w.apply('beside');
      // Unguarded (the guard refuses moved until every server is rolled): the listeners forward to the side ports, where
      // nothing listens yet.
      w.step = 'moved';
      w.check('moved, unguarded');
      expect(w.downs()).toEqual([`moved, unguarded: ${name === 'external' ? '443 DOWN' : '80 DOWN, 443 DOWN'}`]);
      expect(new World(mode).refusalsOf('moved').length).toBeGreaterThan(0);
    });
  },
);
