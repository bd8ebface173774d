import type { Construct } from 'constructs';
import { Token } from 'cdktf';
import { DEPLOYMENT_TAG } from '../deployment-record-format';
import { defaultAwsProvider } from '../providers';

export { DEPLOYMENT_TAG };

/**
 * The deployment tag for a resource that a lookup finds by it (the quorum guard's servers), unless the stack's AWS
 * provider already puts it on every resource: the app's stacks do (default_tags), a library user's provider need not,
 * and a lookup by a tag nothing carries finds nothing and so refuses nothing. Empty when the provider carries it, so
 * the app's resources keep the tag in one place.
 */
export function deploymentTagUnlessDefault(scope: Construct, deployment: string): Readonly<Record<string, string>> {
  const defaults: unknown = defaultAwsProvider(scope)?.defaultTags;
  const carried =
    Array.isArray(defaults) &&
    defaults.some((block: { tags?: unknown }) => {
      const tags = block?.tags;
      return (
        tags !== null && typeof tags === 'object' && !Token.isUnresolved(tags) && (tags as Record<string, unknown>)[DEPLOYMENT_TAG] === deployment
      );
    });
  return carried ? {} : { [DEPLOYMENT_TAG]: deployment };
}
