import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './seeded-random.js';
import { chooseUniform, chooseWeighted } from './weighted-choice.js';

const fixed = (value: number) => () => value;

describe('chooseWeighted', () => {
  const split = [
    { name: 'stable', weight: 80 },
    { name: 'canary', weight: 20 },
  ];

  it.each([
    [0, 'stable'],
    [0.79, 'stable'],
    [0.8, 'canary'],
    [0.999999, 'canary'],
  ])('random %s picks %s at 80/20', (value, name) => {
    expect(chooseWeighted(split, fixed(value))?.name).toBe(name);
  });

  it('never picks a destination of weight 0, and picks nothing when all are 0', () => {
    const zeroCanary = [
      { name: 'stable', weight: 100 },
      { name: 'canary', weight: 0 },
    ];
    expect(chooseWeighted(zeroCanary, fixed(0.99999))?.name).toBe('stable');
    expect(chooseWeighted([{ name: 'a', weight: 0 }], fixed(0.5))).toBeUndefined();
    expect(chooseWeighted<{ weight: number }>([], fixed(0.5))).toBeUndefined();
  });

  it('splits 10 000 seeded draws within 1.5 points of the weights', () => {
    const random = createSeededRandom(42);
    let canary = 0;
    for (let draw = 0; draw < 10_000; draw += 1) if (chooseWeighted(split, random)?.name === 'canary') canary += 1;
    expect(canary / 10_000).toBeGreaterThan(0.185);
    expect(canary / 10_000).toBeLessThan(0.215);
  });

  it('replays the same choices from the same seed', () => {
    const draw = (seed: number): string[] => {
      const random = createSeededRandom(seed);
      return Array.from({ length: 20 }, () => chooseWeighted(split, random)?.name ?? '');
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });
});

describe('chooseUniform', () => {
  it('picks by position and nothing from an empty list', () => {
    expect(chooseUniform(['a', 'b', 'c'], fixed(0))).toBe('a');
    expect(chooseUniform(['a', 'b', 'c'], fixed(0.5))).toBe('b');
    expect(chooseUniform(['a', 'b', 'c'], fixed(0.9999999))).toBe('c');
    expect(chooseUniform<string>([], fixed(0.5))).toBeUndefined();
  });
});
