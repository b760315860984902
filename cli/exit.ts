/** Exit statuses of `aisc`, shared by every command. */
export const EXIT = {
  ok: 0,
  /** A mandatory policy failed, or a verification found the rendered artifacts wrong. */
  failed: 1,
  /** Invalid input: a bad inventory, an unknown stack, a bad flag. Nothing was written. */
  invalidInput: 2,
  /** A bug in aisc itself: reported with its stack trace. */
  internal: 3,
} as const;
