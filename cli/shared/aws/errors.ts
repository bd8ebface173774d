/**
 * Whether an SDK error is one of AWS's error codes. The SDK names an error after its modeled exception class
 * (`DBSnapshotNotFoundFault`, `NoSuchEntityException`) or, for a service that models none (EC2), after the code AWS
 * sent (`InvalidInstanceID.NotFound`); callers list the names they accept.
 */
export function isAwsError(error: unknown, ...names: readonly string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}
