const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/gi;
const MAX_MESSAGE = 200;

/** Replaces `user:password@` in any URL inside `text` with `***@`. */
export function redactUrls(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1***@');
}

/** An error message fit to show in status and logs: credentials removed, one line, bounded. */
export function safeMessage(text: string, secrets: readonly string[] = []): string {
  let clean = redactUrls(text.split('\n')[0] ?? '');
  for (const secret of secrets) {
    if (secret !== '') clean = clean.split(secret).join('***');
  }
  return clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE - 1)}…` : clean;
}
