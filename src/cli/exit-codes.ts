/** The CLI's documented exit codes (README "Exit codes"). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  busy: 3,
} as const;
