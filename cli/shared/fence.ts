import { FAILOVER_FENCE_PARAMETER } from '../../lib/standby/standby-facts-keys';
import type { AwsClients } from './aws/clients';
import type { IoHost } from './io/io-host';

// The failover's fence (issue 91 item 3; docs/development/standby-trust.md, "The fence"): before the hostname's records move, a marker
// in the standby region, an SSM parameter `/<production name>/<stack>/failover-fence` that production honours while
// it exists. Its plan refuses to change the records (lib/standby/failover-fence.ts), and its servers, when the region
// returns, keep Rancher's controllers at 0 replicas (lib/kubernetes/failover-fence.sh). Written and deleted through
// the standby region's client only: never production's region (lost), never a global control plane. A failback
// deletes it once the standby's Rancher no longer serves production's writes (cli/failback/failback.ts).

/** The SDK's side, loaded with the first call (scripts/build.js bundles it apart). */
const sdkSide = () => import('../shared/aws/sdk-side');

/** The marker's name in the standby region: after production's parameter path (`/<name>/<stack id>`). */
export const fenceParameterName = (productionName: string, stack: string): string => `/${productionName}/${stack}${FAILOVER_FENCE_PARAMETER}`;

/** What the marker says (JSON, a String parameter): nothing secret. */
export interface FenceMarker {
  /** When the failover wrote it. */
  readonly since: string;
  readonly standby: { readonly name: string; readonly region: string };
  /** The backup the standby restored. */
  readonly backup: { readonly bucket: string; readonly key: string };
}

/**
 * Writes the marker in the standby region unless it is there: a rerun keeps the first one (its `since` is when the
 * fence began). Throws when SSM there does not take it: the records are not moved without it.
 */
export async function raiseFence(
  standbyClients: AwsClients,
  o: {
    readonly productionName: string;
    readonly stack: string;
    readonly marker: FenceMarker;
    readonly io: IoHost;
    /** Production's resources' tags (operationTags): a sweep by them finds a fence a failback never lowered. */
    readonly tags?: Readonly<Record<string, string>>;
  },
): Promise<'created' | 'kept'> {
  const name = fenceParameterName(o.productionName, o.stack);
  const written = await (
    await sdkSide()
  ).createStringParameter(standbyClients, {
    name,
    value: JSON.stringify(o.marker),
    description: `${o.productionName} failed over to ${o.marker.standby.name} in ${o.marker.standby.region}: production keeps Rancher stopped and its records unchanged while this exists (docs/failover.md)`,
    ...(o.tags ? { tags: o.tags } : {}),
  });
  o.io.info(
    'FAILOVER_FENCE',
    written === 'created'
      ? `The fence is up: ${name} in ${o.marker.standby.region}. While it exists production's plan refuses to change the hostname's records and production's servers keep Rancher at 0 replicas; the failback removes it.`
      : `The fence was up already: ${name} in ${o.marker.standby.region} (kept as an earlier run wrote it).`,
    { parameter: name, region: o.marker.standby.region, written },
  );
  return written;
}

/** Deletes the marker in the standby region; false when it was gone already (a rerun, or a failover from before it). */
export async function lowerFence(standbyClients: AwsClients, o: { readonly productionName: string; readonly stack: string }): Promise<boolean> {
  return (await sdkSide()).deleteParameter(standbyClients, fenceParameterName(o.productionName, o.stack));
}
