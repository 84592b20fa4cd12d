import { hash } from 'node:crypto';

/** Per secret: the HMAC key padded and XORed with ipad and opad (RFC 2104), and scratch buffers. */
interface Pads {
  inner: Buffer; // key ⊕ ipad, then the message
  outer: Buffer; // key ⊕ opad, then the inner digest
}
const padsOf = new Map<string, Pads>();

function pads(secret: string): Pads {
  let p = padsOf.get(secret);
  if (p) return p;
  let key = Buffer.from(secret, 'utf8');
  if (key.length > 64) key = hash('sha256', key, 'buffer');
  p = { inner: Buffer.alloc(1024), outer: Buffer.alloc(96) };
  for (let j = 0; j < 64; j++) {
    const b = j < key.length ? key[j] : 0;
    p.inner[j] = b ^ 0x36;
    p.outer[j] = b ^ 0x5c;
  }
  if (padsOf.size > 16) padsOf.clear();
  padsOf.set(secret, p);
  return p;
}

/**
 * A keyed hash (HMAC-SHA256, 128 bits in hex) of `value` in a named domain, so hashes of ids and
 * authors never collide. HMAC written out from two one-shot SHA-256 calls (RFC 2104): the same
 * digest as `createHmac('sha256', secret).update(domain + '\0' + value)`, without an HMAC object per
 * call — the filter hashes every excluded row's id.
 */
export function keyedHash(secret: string, domain: string, value: string): string {
  const p = pads(secret);
  const need = 64 + 3 * (domain.length + value.length) + 1;
  let buf = p.inner;
  if (need > buf.length) {
    buf = Buffer.allocUnsafe(need);
    p.inner.copy(buf, 0, 0, 64);
  }
  let n = 64 + buf.write(domain, 64, 'utf8');
  buf[n++] = 0;
  n += buf.write(value, n, 'utf8');
  hash('sha256', buf.subarray(0, n), 'buffer').copy(p.outer, 64);
  return hash('sha256', p.outer, 'hex').slice(0, 32);
}
