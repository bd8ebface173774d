import {
  NoSuchEntityException,
  type ListInstanceProfilesCommandInput,
  type ListInstanceProfileTagsCommandInput,
  type ListPoliciesCommandInput,
  type ListPolicyTagsCommandInput,
  type ListRolesCommandInput,
  type ListRoleTagsCommandInput,
  type ListUsersCommandInput,
  type ListUserTagsCommandInput,
} from '@aws-sdk/client-iam';
import { pageOf, pageSize } from './paging';

type Tags = Record<string, string>;
interface Entity {
  readonly name: string;
  readonly arn: string;
  readonly path: string;
  readonly tags: Tags;
}

const meta = { $metadata: {} };

/** IAM's roles, users, instance profiles and customer managed policies with their tags, in memory (README.md beside this file). */
export class FakeIam {
  readonly roles: Entity[] = [];
  readonly users: Entity[] = [];
  readonly instanceProfiles: Entity[] = [];
  readonly policies: Entity[] = [];

  constructor(private readonly page: () => number) {}

  add(kind: 'role' | 'user' | 'instance-profile' | 'policy', name: string, tags: Tags = {}, path = '/'): string {
    const arn = `arn:aws:iam::111122223333:${kind}${path}${name}`;
    const list = { role: this.roles, user: this.users, 'instance-profile': this.instanceProfiles, policy: this.policies }[kind];
    list.push({ name, arn, path, tags });
    return arn;
  }

  readonly handlers = {
    ListRoles: (input: ListRolesCommandInput) => this.list(this.roles, input, 'Roles', (e) => ({ RoleName: e.name, Arn: e.arn, Path: e.path })),
    ListUsers: (input: ListUsersCommandInput) =>
      this.list(
        this.users.filter((u) => u.path.startsWith(input.PathPrefix ?? '/')),
        input,
        'Users',
        (e) => ({ UserName: e.name, Arn: e.arn, Path: e.path }),
      ),
    ListInstanceProfiles: (input: ListInstanceProfilesCommandInput) =>
      this.list(this.instanceProfiles, input, 'InstanceProfiles', (e) => ({ InstanceProfileName: e.name, Arn: e.arn, Path: e.path })),
    // Scope Local: the account's own (customer managed) policies, the only ones the fake holds.
    ListPolicies: (input: ListPoliciesCommandInput) =>
      this.list(this.policies, input, 'Policies', (e) => ({ PolicyName: e.name, Arn: e.arn, Path: e.path })),
    ListRoleTags: (input: ListRoleTagsCommandInput) =>
      this.tags(
        this.roles.find((e) => e.name === input.RoleName),
        input,
      ),
    ListUserTags: (input: ListUserTagsCommandInput) =>
      this.tags(
        this.users.find((e) => e.name === input.UserName),
        input,
      ),
    ListInstanceProfileTags: (input: ListInstanceProfileTagsCommandInput) =>
      this.tags(
        this.instanceProfiles.find((e) => e.name === input.InstanceProfileName),
        input,
      ),
    ListPolicyTags: (input: ListPolicyTagsCommandInput) =>
      this.tags(
        this.policies.find((e) => e.arn === input.PolicyArn),
        input,
      ),
  };

  /** IAM's paging: Marker in, Marker and IsTruncated out. */
  private list<K extends string>(entities: readonly Entity[], input: { Marker?: string; MaxItems?: number }, key: K, shape: (e: Entity) => object) {
    const { items, next } = pageOf(entities, input.Marker, pageSize(input.MaxItems ?? 100, this.page()));
    return { [key]: items.map(shape), IsTruncated: next !== undefined, ...(next ? { Marker: next } : {}) };
  }

  private tags(entity: Entity | undefined, input: { Marker?: string; MaxItems?: number }) {
    if (!entity) throw new NoSuchEntityException({ message: 'The entity cannot be found.', ...meta });
    const { items, next } = pageOf(Object.entries(entity.tags), input.Marker, pageSize(input.MaxItems ?? 100, this.page()));
    return { Tags: items.map(([Key, Value]) => ({ Key, Value })), IsTruncated: next !== undefined, ...(next ? { Marker: next } : {}) };
  }
}
