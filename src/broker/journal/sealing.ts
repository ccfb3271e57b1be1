// Sealing an event's personal content for the journal, and opening it again on the way back in.
// The sealed event keeps every other field as it was and carries the personal ones as
//   "sealed": "<keyId>.<base64 of 12-byte IV | AES-256-GCM ciphertext | 16-byte tag>"
// over the JSON of those fields, with the enquiry id and event type as associated data, so a
// sealed blob cannot be moved onto another enquiry or event. The hash chain covers the sealed
// line, so destroying the key later leaves the journal verifiable.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { CourtdeskEvent } from '../../domain/events.js';
import { PERSONAL_FIELDS, withContentRemoved } from '../../domain/personal-content.js';
import { randomPooled } from '../random-pool.js';
import type { ContentKeys } from './content-keys.js';

type Sealable = CourtdeskEvent & { enquiryId: string };

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What a blob is bound to, so it cannot be moved onto another enquiry or event. */
function associatedData(enquiryId: string, type: string): string {
  return `${enquiryId}|${type}`;
}

/** The event as the journal stores it: personal fields sealed under the enquiry's key. */
export function sealEvent(event: CourtdeskEvent, keys: Pick<ContentKeys, 'keyFor'>): CourtdeskEvent {
  const fields = PERSONAL_FIELDS[event.type];
  if (!fields) return event;
  const { enquiryId } = event as Sealable;
  const key = keys.keyFor(enquiryId);
  // Copied field by field, not spread and then `delete`d: deleting turns the copy into a slow
  // dictionary object, which the record's JSON.stringify then pays for again.
  const all = event as unknown as Record<string, unknown>;
  const rest: Record<string, unknown> = {};
  const personal: Record<string, unknown> = {};
  for (const field of Object.keys(all)) if (!fields.includes(field)) rest[field] = all[field];
  for (const field of fields) personal[field] = all[field];
  const iv = randomPooled(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key.key, 'base64'), iv);
  cipher.setAAD(Buffer.from(associatedData(enquiryId, event.type)));
  const sealed = Buffer.concat([iv, cipher.update(JSON.stringify(personal), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  rest.sealed = `${key.keyId}.${sealed.toString('base64')}`;
  return rest as unknown as CourtdeskEvent;
}

/**
 * The event with its personal fields back, or reading as removed when retention destroyed its
 * key. Events written before content was sealed have no `sealed` field and come back as they are.
 * A key that is simply missing (a key file restored from another backup) is reported to
 * `onMissing`, and the content reads as missing rather than stopping the broker.
 */
export function openEvent(event: CourtdeskEvent, keys: Pick<ContentKeys, 'lookup'> | undefined, onMissing: (keyId: string) => void): CourtdeskEvent {
  const sealed = (event as { sealed?: unknown }).sealed;
  if (typeof sealed !== 'string') return event;
  const { sealed: _blob, ...rest } = event as CourtdeskEvent & { sealed: string };
  const dot = sealed.indexOf('.');
  const keyId = sealed.slice(0, dot);
  const found = keys?.lookup(keyId);
  if (found && 'destroyed' in found) return withContentRemoved(rest as CourtdeskEvent, found.destroyed);
  if (!found) {
    onMissing(keyId);
    return withContentRemoved(rest as CourtdeskEvent, null);
  }
  // `rest` is this call's own copy, so the fields are put back into it rather than spread into a
  // third object: a replay opens most of a million records, and these copies were a quarter of
  // the cost of opening one.
  const plain = openBlob(Buffer.from(found.key, 'base64'), Buffer.from(sealed.slice(dot + 1), 'base64'), Buffer.from(associatedData((event as Sealable).enquiryId, event.type)));
  return Object.assign(rest, JSON.parse(plain.toString('utf8')) as Record<string, unknown>) as CourtdeskEvent;
}

/** The plain bytes of a blob (IV, ciphertext, tag); throws if its tag does not check out. */
function openBlob(key: Buffer, blob: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
  // GCM's final() adds no bytes, it only checks the tag.
  const plain = decipher.update(blob.subarray(IV_BYTES, blob.length - TAG_BYTES));
  decipher.final();
  return plain;
}

/** The id of the key a sealed event was sealed with. */
export function sealedKeyId(event: CourtdeskEvent): string {
  const sealed = (event as { sealed?: string }).sealed ?? '';
  return sealed.slice(0, sealed.indexOf('.'));
}

/** The key a replay worker may open a record's content with; see openSealedBody. */
export type LineKey = (keyId: string, enquiryId: string) => Buffer | undefined;

const SEALED_FIELD = ',"sealed":"';
/**
 * Reused for every line rather than a Buffer each: a worker opening half a million blobs left the
 * broker holding some 35 MB more memory for good, from the small native allocations freed in
 * between. A blob longer than this (a long message) takes a Buffer of its own.
 */
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
/** For the associated data; an id too long for it is cut short, fails the tag check and is opened the usual way. */
const aad = Buffer.allocUnsafeSlow(1024);

/**
 * A record's body (its line without the hash field) with its sealed content opened in place, as
 * openEvent would open the parsed event, but without parsing: the replay worker opens records so
 * the main thread only parses and folds them. `sealEvent` always puts `sealed` last in the event,
 * and the event is the record's last field, so the blob sits just before the closing `}}`. The
 * enquiry id and type are read off the body for the associated data; if they were read wrong, the
 * tag check fails. Anything but a plain open (no key, a destroyed one, a key not known to be this
 * enquiry's, a blob that does not open) returns the body as it is, for openEvent to deal with.
 */
export function openSealedBody(body: string, keyFor: LineKey): string {
  const eventEnd = body.length - 2;
  if (body.charCodeAt(eventEnd) !== 125 || body.charCodeAt(eventEnd - 1) !== 34) return body;
  const field = body.lastIndexOf(SEALED_FIELD, eventEnd);
  if (field === -1) return body;
  const sealed = body.slice(field + SEALED_FIELD.length, eventEnd - 1);
  const type = stringAfter(body, ',"event":{"type":"', 0);
  const enquiryId = type === undefined ? undefined : stringAfter(body, '"enquiryId":"', body.indexOf(',"event":{'));
  // A quote inside would mean `sealed` is not the event's last field after all; bad base64 fails the tag check.
  const dot = sealed.indexOf('.');
  if (type === undefined || enquiryId === undefined || dot === -1 || sealed.includes('"')) return body;
  const key = keyFor(sealed.slice(0, dot), enquiryId);
  if (!key) return body;
  const blob = sealed.slice(dot + 1);
  const bytes = blob.length <= SCRATCH_BYTES ? scratch.subarray(0, scratch.write(blob, 'base64')) : Buffer.from(blob, 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) return body;
  let plain: string;
  try {
    plain = openBlob(key, bytes, aad.subarray(0, aad.write(associatedData(enquiryId, type)))).toString('utf8');
  } catch {
    return body;
  }
  if (plain.charCodeAt(0) !== 123 || plain.charCodeAt(plain.length - 1) !== 125) return body;
  const fields = plain.length > 2 ? `,${plain.slice(1, -1)}` : '';
  return `${body.slice(0, field)}${fields}${body.slice(eventEnd)}`;
}

/** The plain string value after the first `prefix` from `from`: up to the next quote, if it holds no escapes. */
function stringAfter(line: string, prefix: string, from: number): string | undefined {
  const at = line.indexOf(prefix, from);
  if (at === -1) return undefined;
  const start = at + prefix.length;
  const end = line.indexOf('"', start);
  const value = end === -1 ? '' : line.slice(start, end);
  return value === '' || value.includes('\\') ? undefined : value;
}
