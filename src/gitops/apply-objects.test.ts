import { describe, expect, it } from 'vitest';
import { renderPendingApply } from './apply-objects.js';

describe('an apply that did not converge, as its deploy check says it', () => {
  it('names why and every object still pending, and that it is applied again', () => {
    const summary = renderPendingApply(
      'apps/api/service.yaml:1: Service shop/api was refused by the API server: 503',
      ['Service shop/api', 'Rollout shop/api'],
      3,
    );
    expect(summary).toContain('refused by the API server: 503');
    expect(summary).toContain('Pending (2 of 3):\n- Service shop/api\n- Rollout shop/api');
    expect(summary).toContain('applies it again until every object is applied');
  });

  it('says no list when nothing is known to be pending', () => {
    expect(renderPendingApply('boom', [], 2)).not.toContain('Pending');
  });
});
