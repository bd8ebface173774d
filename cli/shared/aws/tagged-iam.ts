import type * as IAM from '@aws-sdk/client-iam';
import {
  paginateListInstanceProfiles,
  paginateListInstanceProfileTags,
  paginateListPolicies,
  paginateListPolicyTags,
  paginateListRoles,
  paginateListRoleTags,
  paginateListUsers,
  paginateListUserTags,
} from '@aws-sdk/client-iam';
import type { AwsClients } from './clients';
import { isAwsError } from './errors';

/** Which IAM entities to look at: a name prefix, the users' path, and the tag that proves an entity is ours. */
export interface IamSweep {
  readonly namePrefix: string;
  readonly userPath: string;
  readonly tag: { readonly key: string; readonly value: string };
}

/** All of a tag list's pages; undefined when the entity went away while we looked (NoSuchEntity). */
async function allTags(pages: AsyncIterable<{ Tags?: IAM.Tag[] }>): Promise<IAM.Tag[] | undefined> {
  const tags: IAM.Tag[] = [];
  try {
    for await (const page of pages) tags.push(...(page.Tags ?? []));
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntityException', 'NoSuchEntity')) return undefined;
    throw error;
  }
  return tags;
}

/**
 * The account's roles, users (under `userPath`), instance profiles and customer managed policies whose name starts
 * with `namePrefix` and whose own tags carry `tag` (a name alone could be another's), every list followed to its end
 * (IAM pages with Marker and IsTruncated; a page may be short while more follow). IAM is global: one look serves all.
 */
export async function taggedIam(clients: AwsClients, sweep: IamSweep): Promise<string[]> {
  const iam = { client: clients.iam };
  const mine = (name: string | undefined) => name?.startsWith(sweep.namePrefix) === true;
  const ours = (tags: IAM.Tag[] | undefined) => (tags ?? []).some((t) => t.Key === sweep.tag.key && t.Value === sweep.tag.value);
  const arns: string[] = [];
  for await (const page of paginateListRoles(iam, {}))
    for (const r of page.Roles ?? [])
      if (mine(r.RoleName) && ours(await allTags(paginateListRoleTags(iam, { RoleName: r.RoleName! })))) arns.push(r.Arn!);
  for await (const page of paginateListUsers(iam, { PathPrefix: sweep.userPath }))
    for (const u of page.Users ?? [])
      if (mine(u.UserName) && ours(await allTags(paginateListUserTags(iam, { UserName: u.UserName! })))) arns.push(u.Arn!);
  for await (const page of paginateListInstanceProfiles(iam, {}))
    for (const p of page.InstanceProfiles ?? [])
      if (mine(p.InstanceProfileName) && ours(await allTags(paginateListInstanceProfileTags(iam, { InstanceProfileName: p.InstanceProfileName! }))))
        arns.push(p.Arn!);
  for await (const page of paginateListPolicies(iam, { Scope: 'Local' }))
    for (const p of page.Policies ?? [])
      if (mine(p.PolicyName) && ours(await allTags(paginateListPolicyTags(iam, { PolicyArn: p.Arn! })))) arns.push(p.Arn!);
  return arns;
}
