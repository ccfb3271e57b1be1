// A deliberately strict check for the addresses courtdesk emails: the everyday form
// local@domain.tld that court and government inboxes use. Quoted local parts, IP-literal domains
// and addresses without a dot in the domain are legal in RFC 5321 but are never a court's inbox,
// and accepting them would let a typo or a note in a directory ("see website") become a recipient.

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** The address trimmed with its domain lower-cased, or null when it is not a usable address. */
export function normaliseEmailAddress(input: string): string | null {
  const address = input.trim();
  if (address.length > 254) return null;
  const at = address.lastIndexOf('@');
  if (at < 1) return null;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (local.length > 64 || !LOCAL.test(local)) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (!/^[a-z]{2,}$/.test(labels[labels.length - 1] ?? '')) return null;
  return `${local}@${domain}`;
}

export function isEmailAddress(input: string): boolean {
  return normaliseEmailAddress(input) !== null;
}
