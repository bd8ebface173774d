import type { GetResourcesCommandInput } from '@aws-sdk/client-resource-groups-tagging-api';
import { pageOf, pageSize } from './paging';

/** The Resource Groups Tagging API's GetResources over a list of tagged ARNs, in memory (README.md beside this file). */
export class FakeTagging {
  readonly resources: { arn: string; tags: Record<string, string> }[] = [];
  /** Pages with no resource but a token, answered before the first that holds any (AWS may answer such pages). */
  emptyPagesFirst = 1;

  constructor(private readonly page: () => number) {}

  tag(arn: string, tags: Record<string, string>): void {
    this.resources.push({ arn, tags });
  }

  readonly handlers = {
    GetResources: (input: GetResourcesCommandInput) => {
      const matching = this.resources.filter((r) =>
        (input.TagFilters ?? []).every((f) => f.Key !== undefined && (f.Values ?? []).includes(r.tags[f.Key])),
      );
      const token = input.PaginationToken ?? '';
      const empty = /^empty-(\d+)$/.exec(token);
      const emptiesGiven = empty ? Number(empty[1]) : token === '' ? 0 : this.emptyPagesFirst;
      if (emptiesGiven < this.emptyPagesFirst) return { ResourceTagMappingList: [], PaginationToken: `empty-${emptiesGiven + 1}` };
      const { items, next } = pageOf(matching, empty ? undefined : token, pageSize(input.ResourcesPerPage ?? 100, this.page()));
      return {
        ResourceTagMappingList: items.map((r) => ({ ResourceARN: r.arn, Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })) })),
        // The last page's token is the empty string, as the API answers it.
        PaginationToken: next ?? '',
      };
    },
  };
}
