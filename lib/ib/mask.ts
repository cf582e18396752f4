/**
 * Account-id masking: the one function every printed or journaled text goes through.
 *
 * @module
 */

/**
 * IB account ids: a letter prefix (`U` individual, `DU` paper, `F`/`DF` advisor, `I`/`DI`
 * broker...) and digits, sometimes a letter suffix. Any 1-3 capitals followed by 4-10
 * digits is masked: a false positive costs a few hidden characters, a miss leaks an id.
 */
const ACCOUNT_RE = /\b[A-Z]{1,3}\d{4,10}[A-Z]?\b/g;

/**
 * Masks one account id, showing at most 3 characters: the letter prefix (paper or live is
 * worth seeing) and enough final characters to make 3. `DU1234567` -> `DU******7`,
 * `U1234567` -> `U*****67`, `U123456` -> `U****56`.
 */
export function maskAccount(id: string): string {
  const t = id.trim();
  if (t.length <= 4) return "*".repeat(t.length);
  const prefix = /^[A-Za-z]{0,2}/.exec(t)![0];
  const visible = Math.min(3, t.length - 4);
  const head = prefix.slice(0, Math.max(0, visible - 1));
  const tail = visible - head.length;
  return head + "*".repeat(t.length - head.length - tail) + t.slice(t.length - tail);
}

/**
 * Masks every account id inside a text (a TWS message, an error, a log line).
 *
 * @example
 * ```ts
 * maskAccounts("Order rejected for account DU1234567"); // "... account DU******7"
 * ```
 */
export function maskAccounts(text: string): string {
  return text.replace(ACCOUNT_RE, maskAccount);
}
