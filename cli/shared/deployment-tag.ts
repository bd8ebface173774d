// The acceptance run refuses a name a deployment has by it; the drill puts it on its throwaway.

/** The tag the stacks put on every AWS resource of a deployment (DEPLOYMENT_TAG of lib/common/private/tags.ts): `<name>-<stack>`. */
export const DEPLOYMENT_TAG = 'rancher-aws:deployment';
