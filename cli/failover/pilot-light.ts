import { STANDBY_STATE_PARAMETER } from '../../lib/standby/standby-facts-keys';
import type { AwsClients } from '../shared/aws/clients';
import type { IoHost } from '../shared/io/io-host';
import { localModuleProblems, type ModuleJson } from '../shared/throwaway';

// The standby's pilot light (docs/failover.md, issue 91 items 1 and 6): what of the standby deployment exists in the
// standby region before the outage, so the failover needs neither the lost region nor a global control plane.

/** The SDK's side, loaded at the first SDK call (scripts/build.js bundles it apart). */
const sdkSide = () => import('../shared/aws/sdk-side');

/** The SSM parameter (standby region) naming the bucket of the standby's state: production's apply writes it (lib/standby/standby-state.ts). */
export const standbyStateParameter = (productionName: string, stack: string): string => `/${productionName}/${stack}${STANDBY_STATE_PARAMETER}`;

/**
 * Where the standby's state is kept: the bucket production's apply made in the standby region (its parameter read
 * there), or a local file when asked for (`local`) or when production's apply made none (a deployment not applied
 * with this version: said with FAILOVER_STATE_LOCAL, as a failover in the outage cannot apply production first).
 */
export async function standbyStateOf(
  o: { readonly io: IoHost; readonly localState?: boolean; readonly stack: string },
  clients: AwsClients,
  productionName: string,
  region: string,
): Promise<{ readonly bucket: string } | 'local'> {
  if (o.localState) return 'local';
  const name = standbyStateParameter(productionName, o.stack);
  const found = await (await sdkSide()).readSecureParameter(clients, name);
  if (found) return { bucket: found.value };
  o.io.warn(
    'FAILOVER_STATE_LOCAL',
    `${region} holds no ${name}: production was not applied with a version that keeps the standby's state there. The standby's state, with its secrets, is a local file in the failover's folder; once production's region is back, move it to a bucket (terraform init -migrate-state; docs/failover.md).`,
    { parameter: name },
  );
  return 'local';
}

/**
 * Why the synthesized standby may not be applied beside production, or nothing: its backend is the state bucket in
 * the standby region (and nothing else), or a local file in the failover's folder (throwaway.ts); no Route 53 record.
 */
export function standbyModuleProblems(
  json: ModuleJson,
  moduleDir: string,
  root: string,
  state: { bucket: string } | 'local',
  region: string,
): string[] {
  if (state === 'local') return localModuleProblems(json, moduleDir, root);
  const problems: string[] = [];
  const backend = json.terraform?.backend ?? {};
  const s3 = (backend as Record<string, { bucket?: string; region?: string } | undefined>).s3;
  if (Object.keys(backend).length !== 1 || s3?.bucket !== state.bucket || s3.region !== region)
    problems.push(`its state backend is not the bucket ${state.bucket} in ${region}`);
  if (json.resource?.aws_route53_record) problems.push('it has a Route53 record');
  return problems;
}
