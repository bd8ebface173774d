/**
 * One page of a list, the fake's way for every paginated API: at most `size` items from the position a token names.
 * The token is opaque to the caller (AWS's are), here an index; a token the fake did not give is refused.
 */
export function pageOf<T>(items: readonly T[], token: string | undefined, size: number): { items: T[]; next?: string } {
  const start = token === undefined || token === '' ? 0 : Number(token.replace(/^page-/, ''));
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw new Error(`the fake never gave the token ${token}`);
  const end = Math.min(items.length, start + Math.max(1, size));
  return { items: items.slice(start, end), ...(end < items.length ? { next: `page-${end}` } : {}) };
}

/** The page size a call gets: what it asked for, never more than the fake's (small, so lists always page). */
export const pageSize = (asked: number | undefined, fakes: number): number => Math.min(asked ?? Number.MAX_SAFE_INTEGER, fakes);
