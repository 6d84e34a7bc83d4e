import { canonicalJson } from '../api/canonical-json.js';

/**
 * The pod template hash: the `rollouts-pod-template-hash` label value and ReplicaSet name
 * suffix that tell one revision of a Rollout from another.
 *
 * What Argo does (utils/hash `ComputePodTemplateHash`): FNV-1a 32 over Go's `encoding/json`
 * serialisation of the typed `corev1.PodTemplateSpec`; if `status.collisionCount` is set, eight
 * more bytes (the count as a little-endian uint32, then four zero bytes); then the decimal text
 * of the hash through apimachinery's `rand.SafeEncodeString`. (Kubernetes' own `ComputeHash`,
 * which Argo still tries as a fallback, hashes a spew dump of the struct instead; the collision
 * bytes and the encoding are the same.)
 *
 * What we do: the same FNV-1a, collision bytes and encoding, over a canonical JSON of the
 * template as written (object keys sorted, no whitespace, `null` members dropped). Go's bytes
 * come from struct field order, `omitempty` rules and the Go types of every PodSpec field —
 * reproducing them would mean carrying a Go-faithful model of the whole Kubernetes pod API — so
 * the *value* differs from Argo's for the same template. The pipeline after the bytes is
 * identical (the tests check it against vectors computed with Go).
 *
 * Why that is acceptable: a hash is only compared with hashes the same controller computed;
 * ReplicaSets carry theirs in a label and nothing recomputes it. What matters is the format
 * (≤ 10 characters of SafeEncodeString's alphabet, valid in names and label values) and
 * stability (same template → same hash; key order and formatting don't matter).
 *
 * The cost is adoption: when Gradual takes over a Rollout that Argo was running, the hash of
 * the unchanged template will not match the live ReplicaSet's label. Argo faces the same
 * problem whenever its hash function changes and answers it in `FindNewReplicaSet` by falling
 * back to a semantic comparison of the templates (ignoring the hash label and injected
 * metadata); the ReplicaSet lookup must do the same, and then keep the existing ReplicaSet and
 * its hash rather than create a new one — otherwise adoption would redeploy every Rollout.
 */

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function computePodTemplateHash(template: unknown, collisionCount?: number): string {
  let hash = fnv1a32(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined) {
    hash = fnv1a32(collisionCountBytes(collisionCount), hash);
  }
  return safeEncodeString(String(hash));
}

/** FNV-1a, 32 bits; `seed` continues an earlier call, as writing more bytes to Go's hasher does. */
export function fnv1a32(bytes: Uint8Array, seed: number = FNV_OFFSET_BASIS): number {
  let hash = seed;
  for (const byte of bytes) {
    hash = Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/**
 * apimachinery's `rand.SafeEncodeString`: each character becomes the alphabet entry at its code
 * point modulo 27 — for a decimal hash, digits map to `4 5 6 7 8 9 b c d f`. The alphabet has no
 * vowels so hashes never spell words.
 */
export function safeEncodeString(text: string): string {
  let encoded = '';
  for (const char of text) {
    encoded += SAFE_ALPHABET.charAt((char.codePointAt(0) ?? 0) % SAFE_ALPHABET.length);
  }
  return encoded;
}

/** Eight bytes, as Kubernetes and Argo write them: the uint32 little-endian in the first four. */
function collisionCountBytes(collisionCount: number): Uint8Array {
  if (!Number.isSafeInteger(collisionCount)) {
    throw new RangeError(`collisionCount must be an integer, got ${collisionCount}`);
  }
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
  return bytes;
}
