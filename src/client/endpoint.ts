// Where the agent socket lives, from the base URL an agent types or a config file holds.

/** `http://host:7340` (or https, ws, wss, with or without a path prefix) → `ws://host:7340/v1/agent`. */
export function agentSocketUrl(base: string): string {
  const written = base.trim();
  // `localhost:7340` would parse as a URL with the scheme "localhost:"; say what was probably meant.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(written)) {
    throw new Error(`The broker URL must start with http://, https://, ws:// or wss:// (did you mean http://${written}?).`);
  }
  let url: URL;
  try {
    url = new URL(written);
  } catch {
    throw new Error(`The broker URL ${JSON.stringify(base)} is not a URL. Write it like http://127.0.0.1:7340.`);
  }
  const scheme = ({ 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' } as Record<string, string>)[url.protocol];
  if (!scheme) {
    throw new Error(`The broker URL must start with http://, https://, ws:// or wss:// (got ${JSON.stringify(url.protocol)} in ${JSON.stringify(base)}).`);
  }
  if (url.username || url.password) {
    throw new Error('The broker URL must not carry a user name or password; pass the token separately (--token or COURTDESK_TOKEN).');
  }
  url.protocol = scheme;
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/v1/agent') ? path : `${path}/v1/agent`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** A token goes into an HTTP header: anything that could not, or an empty one, is a mistake worth naming now. */
export function checkToken(token: string): string {
  const trimmed = typeof token === 'string' ? token.trim() : '';
  if (trimmed.length === 0) throw new Error('No token given. Pass the agent token from `courtdesk token add` (--token or COURTDESK_TOKEN).');
  // Printable ASCII without spaces: what a Bearer token may hold. The token itself is never echoed.
  if (!/^[\x21-\x7e]+$/.test(trimmed)) throw new Error('The token contains spaces or characters a token cannot hold; check it was copied whole.');
  return trimmed;
}
