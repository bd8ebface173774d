// The names of the record of the CA downstream agents trust, apart from the construct that writes them
// (restore-preflight.ts): the operations CLI reads them too (the failover), and must not bundle the constructs.

/**
 * Where the record of the CA downstream agents trust lives (docs/backups.md, "Preflight"): one object beside the
 * record, its key `ca=<value>`. An object of its own, not a field of the record's key: a key is the object's name, so
 * a new field there would replace every deployment's record at the upgrade that adds it. Listed, never read (a
 * listing needs no s3:GetObject and no KMS key); a bucket without it was written before the CA was recorded.
 */
export const CA_RECORD_FOLDER = 'rancher-aws/record-ca/';

/**
 * How a record names the CA agents trust, after the guard's names (AGENT_CA) spelled for a key: Rancher's own CA or
 * the user's private one by the checksum agents hold (CATTLE_CA_CHECKSUM), a public CA (agents use their system
 * store), Let's Encrypt staging (nothing trusts it: no agent can have registered).
 */
export const RECORDED_CA = {
  /** Rancher's own CA: this, then the checksum. */
  rancher: 'rancher-ca-',
  /** The user's private CA: this, then the checksum. */
  private: 'private-ca-',
  /** A public CA. */
  public: 'public',
  /** Let's Encrypt staging. */
  staging: 'letsencrypt-staging',
} as const;
