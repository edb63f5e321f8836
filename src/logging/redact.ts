/**
 * `//user:password@` in a URL. Only a `//` can start a match and the credentials cannot cross a
 * `/`, so the search is linear however long the text: a peer's megabyte of letters costs one
 * pass, not a pass per letter (a pattern that scanned `scheme://` from every letter did).
 */
const URL_CREDENTIALS = /\/\/[^/@\s]*@/g;
const MAX_MESSAGE = 200;
/** How much of a message is looked at: a reply's megabytes never reach a pattern. */
const MAX_INPUT = 4096;

/** Replaces `user:password@` in any URL inside `text` with `***@`. */
export function redactUrls(text: string): string {
  return text.replace(URL_CREDENTIALS, '//***@');
}

/** An error message fit to show in status and logs: credentials removed, one line, bounded. */
export function safeMessage(text: string, secrets: readonly string[] = []): string {
  const end = text.indexOf('\n');
  let clean = redactUrls(text.slice(0, Math.min(end === -1 ? text.length : end, MAX_INPUT)));
  for (const secret of secrets) {
    if (secret !== '') clean = clean.split(secret).join('***');
  }
  return clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE - 1)}…` : clean;
}
