/**
 * A signed document travels as an envelope: the exact payload bytes (base64) and detached signatures.
 * Signatures are checked over those bytes before the payload is parsed; the bytes are what we store.
 */
import { z } from 'zod';
import { signPayload, verifyPayloadSignature, type KeyPair, type SigningRole } from './crypto';
import { TrustError } from './errors';
import { parseOrMalformed, type RoleKeys, type RootDocument } from './schemas';
import { parseStrictJson } from './strict-json';

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

// Signatures stay lenient strings: a garbage signature is a failed check, not a malformed document.
const envelopeSchema = z.strictObject({
  signed: z.string().regex(base64),
  signatures: z.array(z.strictObject({ keyid: z.string().max(128), sig: z.string().max(512) })).max(64),
});

export interface Envelope {
  payload: Uint8Array;
  signatures: { keyid: string; sig: string }[];
}

export function encodeEnvelope(role: SigningRole, payload: Uint8Array, signers: readonly KeyPair[]): Uint8Array {
  const signatures = signers.map((key) => ({ keyid: key.keyid, sig: Buffer.from(signPayload(role, payload, key.secretKey)).toString('hex') }));
  return Buffer.from(JSON.stringify({ signed: Buffer.from(payload).toString('base64'), signatures }), 'utf8');
}

export function signDocument(role: SigningRole, document: unknown, signers: readonly KeyPair[]): Uint8Array {
  return encodeEnvelope(role, Buffer.from(JSON.stringify(document, null, 1), 'utf8'), signers);
}

export function openEnvelope(bytes: Uint8Array, maxBytes: number, what: string): Envelope {
  if (bytes.length > maxBytes) throw new TrustError('OVERSIZE', `${what} is ${bytes.length} bytes, over the ${maxBytes}-byte cap.`);
  // Strict JSON (duplicate members, lone surrogates, numbers out of range are MALFORMED): trust/strict-json.ts.
  const raw = parseStrictJson(bytes, what);
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success) throw new TrustError('MALFORMED', `${what} is not a signed envelope: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  const payload = Buffer.from(parsed.data.signed, 'base64');
  // Node decodes sloppy base64; only the canonical spelling is accepted so every byte of the file counts.
  if (payload.toString('base64') !== parsed.data.signed) throw new TrustError('MALFORMED', `${what} payload is not canonical base64.`);
  return { payload, signatures: parsed.data.signatures };
}

/**
 * Counts valid signatures by unique key id among the keys the role names: a key listed twice, or one
 * key signing twice, counts once. No valid signature at all is BAD_SIGNATURE; some but too few is
 * THRESHOLD_NOT_MET.
 */
export function requireThreshold(role: SigningRole, envelope: Envelope, roleKeys: RoleKeys, keys: RootDocument['keys'], what: string): Set<string> {
  const allowed = new Set(roleKeys.keyids);
  const valid = new Set<string>();
  for (const { keyid, sig } of envelope.signatures) {
    const key = keys[keyid];
    if (!allowed.has(keyid) || !key || valid.has(keyid) || !/^[0-9a-f]{128}$/.test(sig)) continue;
    if (verifyPayloadSignature(role, envelope.payload, Buffer.from(sig, 'hex'), Buffer.from(key.public, 'hex'))) valid.add(keyid);
  }
  if (valid.size >= roleKeys.threshold) return valid;
  if (valid.size === 0) throw new TrustError('BAD_SIGNATURE', `${what}: no valid ${role} signature from a trusted key.`);
  throw new TrustError('THRESHOLD_NOT_MET', `${what}: ${valid.size} of ${roleKeys.threshold} required ${role} signatures.`);
}

export function parsePayload<T>(envelope: Envelope, schema: z.ZodType<T>, what: string): T {
  // The signed bytes have one meaning only: strict JSON before any field is read.
  const raw = parseStrictJson(envelope.payload, `${what} payload`);
  return parseOrMalformed(schema, raw, what);
}
