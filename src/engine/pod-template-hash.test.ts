import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../api/canonical-json.js';
import { computePodTemplateHash, fnv1a32, safeEncodeString } from './pod-template-hash.js';

const template = {
  metadata: { labels: { app: 'demo' } },
  spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
};

describe('the hash pipeline after the bytes is Argo’s', () => {
  // Expected values computed with Go's hash/fnv, encoding/binary and the SafeEncodeString of
  // k8s.io/apimachinery/pkg/util/rand, hashing the same bytes the way Argo's
  // ComputePodTemplateHash does (collision count as 8 bytes, uint32 little-endian first).
  it.each([
    { text: '', collision: [], fnv: 2166136261, hash: '65bb57b6b5' },
    { text: '', collision: [1, 0, 0, 0, 0, 0, 0, 0], fnv: 1048580676, hash: '548d9d4bcb' },
    { text: 'a', collision: [], fnv: 3826002220, hash: '7d6b446664' },
    { text: 'foobar', collision: [], fnv: 3214735720, hash: '7658c79c64' },
    { text: 'foobar', collision: [1, 0, 0, 0, 0, 0, 0, 0], fnv: 2576555401, hash: '69cb999845' },
    { text: 'foobar', collision: [255, 255, 255, 255, 0, 0, 0, 0], fnv: 1513231556, hash: '595767599b' },
  ])('FNV-1a of $j{text} then collision bytes $collision', ({ text, collision, fnv, hash }) => {
    const sum = fnv1a32(new Uint8Array(collision), fnv1a32(new TextEncoder().encode(text)));
    expect(sum).toBe(fnv);
    expect(safeEncodeString(String(sum))).toBe(hash);
  });

  it.each([
    { collision: undefined, hash: '85444cdf55' },
    { collision: 1, hash: '6f94d5c978' },
    { collision: -1, hash: '6b4479f98c' },
  ])('hashes a template’s canonical JSON like Go hashes the same bytes (collision count $collision)', ({ collision, hash }) => {
    expect(canonicalJson(template)).toBe(
      '{"metadata":{"labels":{"app":"demo"}},"spec":{"containers":[{"image":"nginx:1.25","name":"app"}]}}',
    );
    expect(computePodTemplateHash(template, collision)).toBe(hash);
  });

  it('maps decimal digits onto the vowel-free alphabet', () => {
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });
});

describe('computePodTemplateHash', () => {
  const hash = computePodTemplateHash(template);

  it('ignores key order, formatting and explicit nulls', () => {
    const reordered: unknown = JSON.parse(
      '{ "spec": { "containers": [ { "image": "nginx:1.25", "name": "app", "args": null } ] }, "metadata": { "labels": { "app": "demo" } } }',
    );
    expect(computePodTemplateHash(reordered)).toBe(hash);
  });

  it.each([
    { name: 'image', change: { spec: { containers: [{ name: 'app', image: 'nginx:1.26' }] } } },
    { name: 'a label', change: { metadata: { labels: { app: 'demo', tier: 'web' } } } },
    {
      name: 'container order',
      change: {
        spec: {
          containers: [
            { name: 'side', image: 'envoy' },
            { name: 'app', image: 'nginx:1.25' },
          ],
        },
      },
    },
    { name: 'an empty field', change: { spec: { containers: [{ name: 'app', image: 'nginx:1.25', env: [] }] } } },
  ])('changes with $name', ({ change }) => {
    expect(computePodTemplateHash({ ...template, ...change })).not.toBe(hash);
  });

  it('changes with the collision count, and each count gives its own hash', () => {
    const hashes = new Set([hash, ...[0, 1, 2, 3].map((count) => computePodTemplateHash(template, count))]);
    expect(hashes.size).toBe(5);
  });

  it('is at most 10 characters of the safe alphabet, for many templates', () => {
    for (let i = 0; i < 500; i++) {
      const value = computePodTemplateHash({ spec: { containers: [{ name: 'app', image: `img:${i}` }] } }, i % 3 === 0 ? undefined : i);
      expect(value).toMatch(/^[456789bcdf]{1,10}$/);
    }
  });

  it.each([
    { name: 'a function', value: { f: () => 1 } },
    { name: 'a bigint', value: { n: 1n } },
    { name: 'NaN', value: { n: Number.NaN } },
  ])('refuses $name, which no manifest can hold', ({ value }) => {
    expect(() => computePodTemplateHash(value)).toThrow(TypeError);
  });

  it('refuses a fractional collision count', () => {
    expect(() => computePodTemplateHash(template, 1.5)).toThrow(RangeError);
  });
});
