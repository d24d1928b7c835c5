// Share links: the program in the URL's fragment, as `#code=` and the program's UTF-8
// in base64url (RFC 4648 §5, without padding; padding is accepted). The fragment never
// reaches a server, so a static host serves every link alike.

/** base64url of the UTF-8 of `text`, without padding. */
export function encodeProgram(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The text whose UTF-8 `code` holds in base64url; throws where it is not that. */
export function decodeProgram(code) {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(code)) throw new Error('it is not base64url');
  const base64 = code.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error('it is not UTF-8 text');
  }
}

/** The link to `href`'s page that opens `text`. */
export function linkFor(href, text) {
  return `${href.split('#')[0]}#code=${encodeProgram(text)}`;
}

/**
 * The program a fragment (`location.hash`) carries: null where it carries none,
 * else `{ ok: true, text }` or `{ ok: false, error }`.
 */
export function codeFromHash(hash) {
  const match = /^#?(?:.*&)?code=([^&]*)/.exec(hash);
  if (!match) return null;
  try {
    return { ok: true, text: decodeProgram(decodeURIComponent(match[1])) };
  } catch (error) {
    return { ok: false, error: error.message };
  }
}
