import { randomBytes } from 'node:crypto';
import type { KubeApi } from '../shared/kube/kube-api';
import { waitUntil } from '../shared/poll';
import { rancherGet, rancherLogin, type RancherLogin } from '../shared/rancher-api';
import { StepFailed } from '../shared/throwaway';
import { readableError } from '../shared/tool-output';

/**
 * The drill's login into the restored Rancher (docs/drill.md, "What it does"). The restore brings
 * production's users with production's passwords, which the drill does not hold, and the throwaway's first-login
 * bootstrap is off (a restore refuses it). So the drill makes a user of its own in the throwaway through the
 * throwaway's cluster-admin kubeconfig, as Rancher documents for local users (a User, then its password in a Secret of
 * `cattle-local-user-passwords` that Rancher's webhook hashes), bound to the `admin` global role so that Rancher's
 * API shows it every object; logs in as a person does (`/v1-public/login`); counts through Rancher's API with the
 * token it got; and deletes the user, whose removal takes its bindings and tokens with it. The password is random,
 * in memory only: it reaches the API server in the Secret's body (through the Kubernetes client) and curl on its
 * standard input.
 */

/** The drill's user in the throwaway (its name is its username, as Rancher requires of a user made this way). */
export const DRILL_USER = 'rancher-ha-aws-drill';
const BINDING = `${DRILL_USER}-admin`;
const PASSWORDS = 'cattle-local-user-passwords';
/** Rancher's cluster-scoped kinds the drill's user is made of (management.cattle.io/v3). */
const USERS = { group: 'management.cattle.io', version: 'v3', plural: 'users' } as const;
const BINDINGS = { group: 'management.cattle.io', version: 'v3', plural: 'globalrolebindings' } as const;

/** Looks at the login before giving up: Rancher's webhook and caches take a moment to see a new user. */
const LOGIN_MINUTES = 2;

/**
 * An answer of the API server while rancher-webhook cannot take the call yet (its pods starting on the restored
 * cluster, its caches filling): the apiserver's Status for a failurePolicy Fail webhook it could not call, as Rancher
 * users report it (rancher/webhook#910: `failed calling webhook "rancher.cattle.io.secrets" ... no endpoints
 * available`), or the webhook's own refusal while it has not synced. Worth another look; anything else is not.
 */
const WEBHOOK_NOT_READY = /failed calling webhook|no endpoints available for service "rancher-webhook"|cache(s)? (is |are )?not (yet )?synced/i;

/**
 * Creates the drill's user, its admin binding and its password Secret, in that order (as `kubectl create -f` of the
 * three did), stopping at the first refused; returns the password, or undefined (and why) while rancher-webhook cannot
 * take the password yet: what a refused create left is deleted again, so the next look starts from nothing.
 */
async function tryCreateUser(kube: KubeApi, why: (text: string) => void): Promise<string | undefined> {
  const password = randomBytes(24).toString('base64url');
  try {
    await kube.clusterObjects.create(USERS, {
      apiVersion: 'management.cattle.io/v3',
      kind: 'User',
      metadata: { name: DRILL_USER },
      username: DRILL_USER,
      displayName: 'rancher-ha-aws drill (deleted when the drill has compared)',
    } as { metadata: { name: string } });
    await kube.clusterObjects.create(BINDINGS, {
      apiVersion: 'management.cattle.io/v3',
      kind: 'GlobalRoleBinding',
      metadata: { name: BINDING },
      globalRoleName: 'admin',
      userName: DRILL_USER,
    } as { metadata: { name: string } });
    // create, never apply: apply would keep the whole object, password included, in an annotation.
    await kube.createSecret(PASSWORDS, { metadata: { name: DRILL_USER, namespace: PASSWORDS }, type: 'Opaque', stringData: { password } });
    return password;
  } catch (error) {
    // Any failure is the API server's or the connection's, in the client layer's words (the message names no password).
    const text = readableError((error as Error).message, 300);
    if (!WEBHOOK_NOT_READY.test(text)) throw new StepFailed(`the drill's user could not be created through the throwaway's kubeconfig: ${text}`);
    why(text);
    await removeDrillUser(kube);
    return undefined;
  }
}

/** Deletes the drill's user, its binding and its password (none of them there is fine); undefined when done, else why not. */
export async function removeDrillUser(kube: KubeApi): Promise<string | undefined> {
  const failed: string[] = [];
  for (const remove of [
    () => kube.clusterObjects.delete(USERS, DRILL_USER),
    () => kube.clusterObjects.delete(BINDINGS, BINDING),
    () => kube.deleteSecret(PASSWORDS, DRILL_USER),
  ])
    try {
      await remove();
    } catch (error) {
      failed.push(readableError((error as Error).message, 200));
    }
  return failed.length === 0 ? undefined : failed.join('; ');
}

/**
 * The drill's user created and logged in (bounded looks while Rancher does not take it yet). Throws StepFailed
 * naming the last answer when it never logs in; the user is then deleted again.
 */
export async function drillLogin(kube: KubeApi, url: string, caFile: string, interrupted: () => boolean): Promise<RancherLogin> {
  let refused = '';
  const password = await waitUntil(LOGIN_MINUTES * 60_000, interrupted, () => tryCreateUser(kube, (why) => (refused = why)));
  if (password === undefined)
    throw new StepFailed(`rancher-webhook did not take the drill's user within ${LOGIN_MINUTES} minutes (last: ${refused}); nothing of it is left`);
  let last = '';
  let login: RancherLogin | undefined;
  try {
    login = await waitUntil(LOGIN_MINUTES * 60_000, interrupted, async () => {
      try {
        return await rancherLogin(url, caFile, DRILL_USER, password);
      } catch (error) {
        if (!(error instanceof StepFailed)) throw error;
        last = error.message;
        return undefined;
      }
    });
  } finally {
    if (!login) await removeDrillUser(kube);
  }
  if (!login) throw new StepFailed(`the drill's user did not log in to Rancher within ${LOGIN_MINUTES} minutes (last: ${last})`);
  return login;
}

/** Rancher's collections the drill counts, by the kind the backup names them with. */
export const API_COLLECTIONS: Readonly<Record<string, string>> = {
  'clusters.management.cattle.io': 'clusters',
  'users.management.cattle.io': 'users',
  'projects.management.cattle.io': 'projects',
  'settings.management.cattle.io': 'settings',
};

/** Pages of one collection read at most: Rancher's v3 API pages at 1,000 by default. */
const MAX_PAGES = 100;

/**
 * The ids in one of Rancher's v3 collections as the logged-in user sees them, every page (`pagination.next`);
 * undefined and why when Rancher did not answer with a collection.
 */
export async function rancherIds(url: string, caFile: string, token: string, collection: string): Promise<{ ids?: string[]; problem?: string }> {
  const ids: string[] = [];
  let path: string | undefined = `/v3/${collection}`;
  for (let page = 0; path !== undefined; page++) {
    if (page === MAX_PAGES) return { problem: `${collection}: more than ${MAX_PAGES} pages` };
    const answer = await rancherGet(url, caFile, token, path);
    let body: { data?: { id?: unknown }[]; pagination?: { next?: unknown } };
    try {
      body = JSON.parse(answer.body) as typeof body;
    } catch {
      body = {};
    }
    if (answer.status !== 200 || !Array.isArray(body.data)) return { problem: `GET ${url}${path} answered ${answer.status}` };
    ids.push(...body.data.map((item) => String(item.id)));
    const next = body.pagination?.next;
    path = typeof next === 'string' && next.startsWith(url) ? next.slice(url.length) : undefined;
  }
  return { ids };
}

/** Rancher's `server-url` setting through its API; undefined when it does not answer it. */
export async function rancherServerUrl(url: string, caFile: string, token: string): Promise<string | undefined> {
  const answer = await rancherGet(url, caFile, token, '/v3/settings/server-url');
  if (answer.status !== 200) return undefined;
  try {
    const value = (JSON.parse(answer.body) as { value?: unknown }).value;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
