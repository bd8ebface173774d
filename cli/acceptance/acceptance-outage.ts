// The acceptance run's outage (docs/acceptance.md, the failover phase): during the failover command, and only then,
// the credentials it runs with are a role's temporary ones whose session policy denies every action requested in the
// primary's region (IAM's global condition key aws:RequestedRegion). A session policy passed to STS AssumeRole only
// narrows the role's permissions (IAM User Guide, "Permissions for AssumeRole": the session's permissions are the
// intersection of the role's policies and the session policy), so the policy allows everything and denies the region;
// an explicit deny wins over any allow (IAM User Guide, "Policy evaluation logic"). Nothing is removed afterwards
// (the primary's control plane denied): the credentials expire.

/**
 * How long the failover's credentials last: the longest a chained role session may (IAM User Guide, "Role chaining":
 * one hour), over the failover's 30-minute RTO budget with its own waits.
 */
export const OUTAGE_SECONDS = 60 * 60;

/** The role a caller's assumed-role session is of (`arn:aws:sts::<account>:assumed-role/<name>/<session>`), or undefined. */
export function roleOfCaller(callerArn: string | undefined): string | undefined {
  const found = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(callerArn ?? '');
  return found ? `arn:${found[1]}:iam::${found[2]}:role/${found[3]}` : undefined;
}

/** The role the failover's credentials are of: --outage-role, else the caller's own (its trust policy must allow itself). */
export function outageRole(given: string | undefined, callerArn: string | undefined): { role: string } | { refusal: string } {
  if (given !== undefined) return { role: given };
  const own = roleOfCaller(callerArn);
  if (own) return { role: own };
  return {
    refusal: `The failover phase runs the failover with temporary credentials that deny the primary region (STS AssumeRole with a session policy), and ${callerArn ?? 'the caller'} is not an assumed role whose role the run could assume again: name a role of the account with --outage-role <arn> (its trust policy allowing you, its permissions the deployer policy's), or leave the phase out with --skip failover. Nothing was changed.`,
  };
}

/** The session policy: every action allowed (the role's permissions stay the limit), every action requested in `region` denied. */
export function outagePolicy(region: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Sid: 'PrimaryRegionLost', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': region } } },
    ],
  });
}

/** What the same deny takes beyond the region's own endpoints: a us-east-1 primary loses the APIs signed there. */
export function outageReach(region: string): string {
  return region === 'us-east-1'
    ? `every AWS call requested in ${region}, with IAM, Route 53's API and S3's bucket configuration (their endpoints sign ${region})`
    : `every AWS call requested in ${region}`;
}
