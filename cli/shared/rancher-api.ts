import { runAsync } from './process';
import { StepFailed } from './throwaway';
import { readableError } from './tool-output';

// Rancher's HTTP API as the operations reach it, shared by the acceptance run's first login and the drill's login
// into its restored throwaway: curl, Rancher's CA verified (never --insecure: a password goes over it), and every
// secret (password, token) on curl's standard input, never on its command line, which every local user can read.
// Each call waits without blocking this process: the run's probes and Lease renewals go on meanwhile, and a Rancher
// of the same process (the tests') answers.

/** What Rancher answered: the HTTP status and the body. */
export interface RancherAnswer {
  readonly status: number;
  readonly body: string;
}

/** One curl call to Rancher; `input` is its standard input. Throws StepFailed when curl itself fails (no answer). */
async function request(caFile: string, args: readonly string[], input: string): Promise<RancherAnswer> {
  const result = await runAsync(
    'curl',
    ['--silent', '--show-error', '--max-time', '30', '--cacert', caFile, '--write-out', '\n%{http_code}', ...args],
    {
      input,
      timeoutMs: 60_000,
    },
  );
  if (result.code !== 0) throw new StepFailed(`curl ${args[args.length - 1]}: ${readableError(result.stderr, 300)}`);
  const lines = result.stdout.split('\n');
  return { status: Number(lines.pop()), body: lines.join('\n') };
}

/** A login's outcome: the token Rancher issued, and the endpoint and status that issued it. */
export interface RancherLogin {
  readonly token: string;
  readonly endpoint: string;
  readonly status: number;
}

/**
 * Logs a local user in as a person does: `/v1-public/login`, and `/v3-public/localProviders/local?action=login`
 * where that answers 404 (Rancher before the v1 login API). Throws StepFailed unless Rancher answered 2xx with a
 * token.
 */
export async function rancherLogin(url: string, caFile: string, username: string, password: string): Promise<RancherLogin> {
  const body = (type?: string) => JSON.stringify({ ...(type ? { type } : {}), username, password, responseType: 'json' });
  const post = ['--request', 'POST', '--header', 'Content-Type: application/json', '--data-binary', '@-'];
  let endpoint = '/v1-public/login';
  let login = await request(caFile, [...post, `${url}${endpoint}`], body('localProvider'));
  if (login.status === 404) {
    endpoint = '/v3-public/localProviders/local?action=login';
    login = await request(caFile, [...post, `${url}${endpoint}`], body());
  }
  if (login.status < 200 || login.status >= 300) throw new StepFailed(`the login of ${username} on ${url}${endpoint} answered ${login.status}`);
  let token: unknown;
  try {
    token = (JSON.parse(login.body) as { token?: unknown }).token;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '') throw new StepFailed(`the login on ${url}${endpoint} answered ${login.status} without a token`);
  return { token, endpoint, status: login.status };
}

/** GET `path` (from `/`) with a login's token, sent as a header through curl's standard input. */
export function rancherGet(url: string, caFile: string, token: string, path: string): Promise<RancherAnswer> {
  return request(caFile, ['--config', '-', `${url}${path}`], `header = "Authorization: Bearer ${token}"\n`);
}

/**
 * POST (or another method) `path` with a JSON body and a login's token: the header and the body both through curl's
 * standard input (its --config file), never on its command line.
 */
export function rancherSend(
  url: string,
  caFile: string,
  token: string,
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body = '',
): Promise<RancherAnswer> {
  const config = [
    `header = "Authorization: Bearer ${token}"`,
    'header = "Content-Type: application/json"',
    `request = "${method}"`,
    ...(body ? [`data-binary = "${body.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`] : []),
  ];
  return request(caFile, ['--config', '-', `${url}${path}`], `${config.join('\n')}\n`);
}
