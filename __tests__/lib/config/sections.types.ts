import type { Expect, SameType } from '../../../lib/config/sections';

/**
 * Type-level cases, not a jest file: `tsc --noEmit` (npm run lint) checks them. Each settings schema holds its
 * output type to its section in sections.ts at compile time (`Expect<SameType<z.output<typeof schema>, Section>>`);
 * a `@ts-expect-error` below that stops being an error fails the type-check. Mutual assignability alone had let
 * the air-gap schema gain `rancherBackupChartRepository` without its section (found 2026-11-25).
 */

// The same types, optional and readonly modifiers included.
export type Same = Expect<SameType<{ a: string; b?: number | undefined }, { a: string; b?: number | undefined }>>;
// @ts-expect-error: an optional field one side lacks
export type OptionalMissing = Expect<SameType<{ a: string; b?: string | undefined }, { a: string }>>;
// @ts-expect-error: a field optional on one side, required on the other
export type OptionalRequired = Expect<SameType<{ a?: string }, { a: string }>>;
// @ts-expect-error: another field type
export type OtherType = Expect<SameType<{ a: string }, { a: string | number }>>;
// @ts-expect-error: a nested optional field one side lacks
export type NestedMissing = Expect<SameType<{ n: { a: string; b?: string } }, { n: { a: string } }>>;
