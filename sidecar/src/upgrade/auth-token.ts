// Reads the `auth_token` cookie that decides `token` and `access_public` (SPEC A2). Pure.

/** The value of the `auth_token` cookie, or undefined when the client sent none (or an empty one). */
export function readAuthTokenCookie(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== 'auth_token') continue;
    let value = part.slice(eq + 1).trim();
    // Go's net/http (the Olares gateway) strips the optional quotes around a cookie value.
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value === '' ? undefined : value;
  }
  return undefined;
}
