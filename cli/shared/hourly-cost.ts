/**
 * The cost of an hour of the default rke-ha deployment, in dollars: docs/cost.md's monthly total (≈ $490 in
 * us-east-1) over 730 hours. What an acceptance run's budget and a drill's throwaway are priced at.
 */
export const DOLLARS_PER_HOUR = 490 / 730;
