import { describe, expect, it } from 'vitest';
import { createInformerMembership, rolloutAddedToInformerEvent } from './informer-membership.js';

const added = { type: 'Normal', reason: 'RolloutAddedToInformer', message: 'Rollout resource added to informer: shop/web' };

describe('RolloutAddedToInformer, as Argo’s instance-filtered informer would record it', () => {
  it('is Argo’s Event', () => {
    expect(rolloutAddedToInformerEvent('shop', 'web')).toEqual(added);
  });

  it('comes once when a handled Rollout enters, not on its updates', () => {
    const membership = createInformerMembership();
    expect(membership.seen('shop/web', true)).toEqual(added);
    expect(membership.seen('shop/web', true)).toBeUndefined();
    expect(membership.seen('shop/web', true)).toBeUndefined();
  });

  it('never comes for a Rollout of another instance', () => {
    const membership = createInformerMembership();
    expect(membership.seen('shop/web', false)).toBeUndefined();
    expect(membership.seen('shop/web', false)).toBeUndefined();
  });

  it('comes again when a label change brings the Rollout back, or after it was deleted and re-created', () => {
    const membership = createInformerMembership();
    membership.seen('shop/web', true);
    expect(membership.seen('shop/web', false)).toBeUndefined();
    expect(membership.seen('shop/web', true)).toEqual(added);
    membership.forget('shop/web');
    expect(membership.seen('shop/web', true)).toEqual(added);
  });

  it('comes for every handled Rollout a new controller lists (each restart starts empty)', () => {
    const before = createInformerMembership();
    before.seen('shop/web', true);
    const restarted = createInformerMembership();
    expect(restarted.seen('shop/web', true)).toEqual(added);
  });
});
