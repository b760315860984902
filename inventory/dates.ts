/**
 * The date a plan is made for. Activations' expiry and the version-support policy depend on
 * it, so a plan must be reproducible for a given date: `aisc plan --as-of YYYY-MM-DD` sets it
 * for the program and the policies through this environment variable; unset, it is today (UTC).
 */
export const AS_OF_ENV = "AISC_AS_OF";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `text` is a real calendar date written YYYY-MM-DD. */
export function isDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}

/** Today (UTC), or the date in {@link AS_OF_ENV}; a malformed date there is an error, never today. */
export function planDate(env: NodeJS.ProcessEnv = process.env): string {
  const value = env[AS_OF_ENV];
  if (value === undefined || value === "") return new Date().toISOString().slice(0, 10);
  if (!isDate(value)) throw new RangeError(`${AS_OF_ENV}: expected a date written YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return value;
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
