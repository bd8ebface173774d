import { paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import type { AwsClients } from './clients';

/**
 * The ARNs of the region's resources tagged key=value, all pages (GetResources may answer a page with no resource and
 * a token: only an empty token ends the list). IAM is not among them (the Tagging API does not list its users and
 * roles): see taggedIam.
 */
export async function resourcesTagged(clients: AwsClients, key: string, value: string): Promise<string[]> {
  const arns: string[] = [];
  for await (const page of paginateGetResources({ client: clients.tagging }, { TagFilters: [{ Key: key, Values: [value] }] }))
    for (const m of page.ResourceTagMappingList ?? []) if (m.ResourceARN) arns.push(m.ResourceARN);
  return arns;
}
