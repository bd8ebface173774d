import type * as Tagging from '@aws-sdk/client-resource-groups-tagging-api';
import type { AwsClients } from './clients';

/**
 * The Tagging API's package, required at a call, not at the top: this module is in the SDK side every roll and
 * rotation loads (sdk-side.ts), and only the acceptance run looks for what is tagged (the package's evaluation costs
 * every run that loads it).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tagging = (): typeof Tagging => require('@aws-sdk/client-resource-groups-tagging-api') as typeof Tagging;

/**
 * The ARNs of the region's resources tagged key=value, all pages (GetResources may answer a page with no resource and
 * a token: only an empty token ends the list). IAM is not among them (the Tagging API does not list its users and
 * roles): see taggedIam.
 */
export async function resourcesTagged(clients: AwsClients, key: string, value: string): Promise<string[]> {
  const { paginateGetResources } = tagging();
  const arns: string[] = [];
  for await (const page of paginateGetResources({ client: clients.tagging }, { TagFilters: [{ Key: key, Values: [value] }] }))
    for (const m of page.ResourceTagMappingList ?? []) if (m.ResourceARN) arns.push(m.ResourceARN);
  return arns;
}
