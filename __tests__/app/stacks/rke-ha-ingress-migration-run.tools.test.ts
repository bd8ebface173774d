import type { SettingsInput } from '../../../app/config/settings-schema';
import { refusals, type History } from '../../helpers/guard';
import { resources, type TerraformJson, userDataOf } from '../../helpers/synth';
import { describeWithTerraform } from '../../helpers/terraform';
import { NGINX, synth, with_ } from './rke-ha-day2.setup';

/**
 * The move off ingress-nginx run end to end on a stand-in of the cluster and the load balancer, driven by the
 * synthesized modules of each step, with every apply first put to the guard (evaluated by terraform, with the records
 * the stand-in's servers hold) and Rancher's reachability through the NLB checked after every action, including at
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
 */
type Controller = 'ingress-nginx' | 'traefik';
type Step = 'none' | 'beside' | 'moved' | 'done';
const STEPS: Step[] = ['none', 'beside', 'moved', 'done'];
const settingsOf = (s: Step): SettingsInput =>
  s === 'none' ? NGINX : with_(NGINX, { rkeHa: { ingressController: 'traefik', ingressMigration: s } });
const MODULES = Object.fromEntries(STEPS.map((s) => [s, synth(settingsOf(s))])) as Record<Step, TerraformJson>;

/** What a step's module asks for, as the stand-in reads it. */
interface Wanted {
  /** Per server, what its config.yaml lists. */
  readonly controllers: Controller[][];
  /** Listener port → target port. */
  readonly targets: Record<number, number>;
  /** The classes of Rancher's Ingresses: its chart's, and the bridge's when there is one. */
  readonly rancherClasses: string[];
  /** Traefik's host ports for web and websecure. */
  readonly traefikPorts: Record<number, number>;
}
function wanted(json: TerraformJson): Wanted {
  const controllers = Object.entries(resources(json, 'aws_instance'))
    .filter(([name]) => name.startsWith('server-'))
    .map(([, i]) => /ingress-controller:\n((?: {8}- [a-z-]+\n)+)/.exec(userDataOf(json, i))![1].match(/[a-z-]+(?=\n)/g) as Controller[]);
  const targets = Object.fromEntries(
    Object.values(resources(json, 'aws_lb_listener'))
      .filter((l) => l.port !== 6443)
      .map((l) => [l.port, Number(/_tg-(\d+)_/.exec(l.default_action[0].target_group_arn)![1])]),
  );
  const values = Object.values(resources(json, 'helm_release')).find((r) => r.chart === 'rancher').values[0] as string;
  const rancherClasses = [/"ingressClassName" = "(\w+)"/.exec(values)![1], ...(values.includes('"rancher-traefik"') ? ['traefik'] : [])];
  const hostPorts = [...values.matchAll(/hostPort: (\d+)/g)].map((m) => Number(m[1]));
  return { controllers, targets, rancherClasses, traefikPorts: hostPorts.length ? { 80: hostPorts[0], 443: hostPorts[1] } : { 80: 80, 443: 443 } };
}
const WANTED = Object.fromEntries(STEPS.map((s) => [s, wanted(MODULES[s])])) as Record<Step, Wanted>;
const SERVERS = [0, 1, 2];
const CLASS: Record<Controller, string> = { 'ingress-nginx': 'nginx', traefik: 'traefik' };

/** The stand-in: the servers, the charts installed in the cluster, what the last apply set, the servers' records. */
class World {
  step: Step = 'none';
  readonly running: Controller[][] = SERVERS.map(() => ['ingress-nginx']);
  readonly up = SERVERS.map(() => true);
  readonly installed = new Set<Controller>(['ingress-nginx']);
  /** ServerNode.runningRecord per server while a step is set (undefined: no record). */
  records: (string | undefined)[] = SERVERS.map(() => undefined);
  readonly log: string[] = [];

  clone(): World {
    const w = new World();
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
    return refusals(MODULES[this.step], MODULES[next], undefined, history);
  }

  /** An apply the guard takes: the listeners and Rancher's release change; the servers hold their user data. */
  apply(next: Step): void {
    const refused = this.refusalsOf(next);
    if (refused.length) throw new Error(`the guard refused ${this.step} -> ${next}: ${refused.join(' | ')}`);
    const list = (i: number) => WANTED[next].controllers[i].join(',');
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
    this.running[i] = [...WANTED[this.step].controllers[i]];
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
    return SERVERS.filter((i) => this.running[i].join(',') !== WANTED[this.step].controllers[i].join(','));
  }

  /** Rancher answers on `port` through the balancer: a target up that a controller serving one of its classes listens on. */
  reachable(port: number): boolean {
    const want = WANTED[this.step];
    const target = want.targets[port];
    return SERVERS.some((i) => {
      if (!this.up[i]) return false;
      const listening: Controller[] = [];
      if (this.installed.has('ingress-nginx') && (port === 80 || port === 443) && target === port) listening.push('ingress-nginx');
      // Traefik binds its host port unless ingress-nginx holds it.
      const traefikPort = want.traefikPorts[port];
      if (
        this.installed.has('traefik') &&
        traefikPort === target &&
        !(this.installed.has('ingress-nginx') && (traefikPort === 80 || traefikPort === 443))
      )
        listening.push('traefik');
      return listening.some((c) => want.rancherClasses.includes(CLASS[c]));
    });
  }

  check(action: string): void {
    this.log.push(`${action}: ${[80, 443].map((p) => `${p} ${this.reachable(p) ? 'up' : 'DOWN'}`).join(', ')}`);
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

/** The way back from where a move stopped (docs/day-2.md): one step at a time, rolling where user data changed. */
function goBack(w: World): void {
  const back: Record<Step, Step | undefined> = { done: 'moved', moved: 'beside', beside: 'none', none: undefined };
  for (let step = back[w.step]; step !== undefined; step = back[step]) {
    w.apply(step);
    for (const i of w.pending()) w.roll(i);
  }
  for (const i of w.pending()) w.roll(i);
}

describeWithTerraform('rke-ha off ingress-nginx, run end to end on a stand-in of the cluster and the balancer', () => {
  it('forward: every apply taken by the guard, Rancher reachable on 80 and 443 after every action, ingress-nginx gone at the end', () => {
    const w = new World();
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
    const w = new World();
    FORWARD.slice(0, n).forEach((action) => action(w));
    // Resuming is running the stopped action's step again: the apply (idempotent) and the roll of what is pending.
    w.apply(w.step);
    FORWARD.slice(n).forEach((action) => action(w));
    expect(w.downs()).toEqual([]);
    expect([...w.installed]).toEqual(['traefik']);
  });

  it.each(points.filter((n) => n < noReturn))('stopped after action %i: rolled back one step at a time, Rancher reachable throughout', (n) => {
    const w = new World();
    FORWARD.slice(0, n).forEach((action) => action(w));
    goBack(w);
    expect(w.downs()).toEqual([]);
    expect(w.step).toBe('none');
    expect([...w.installed]).toEqual(['ingress-nginx']);
    expect(w.running).toEqual(SERVERS.map(() => ['ingress-nginx']));
  });

  it.each(points.filter((n) => n >= noReturn))('stopped after action %i (a server of done rolled): the guard refuses going back', (n) => {
    const w = new World();
    FORWARD.slice(0, n).forEach((action) => action(w));
    expect(w.refusalsOf('moved').join('\n')).toContain('ingressMigration is "moved", but server-0 runs "traefik"');
  });

  it('the stand-in sees an outage where one is: the listeners moved to Traefik before the servers run it', () => {
    const w = new World();
    w.apply('beside');
    // Unguarded (the guard refuses moved until every server is rolled): the listeners forward to 8000/8443, where
    // nothing listens yet.
    w.step = 'moved';
    w.check('moved, unguarded');
    expect(w.downs()).toEqual(['moved, unguarded: 80 DOWN, 443 DOWN']);
    expect(new World().refusalsOf('moved').length).toBeGreaterThan(0);
  });
});
