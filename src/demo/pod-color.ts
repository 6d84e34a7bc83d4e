import type { DemoPod } from './schema.js';

/**
 * The colour a demo pod serves: its first container's image tag, as in Argo's
 * rollouts-demo (`argoproj/rollouts-demo:blue`). A registry port is not a tag;
 * a digest-only or untagged image has no colour.
 */
export function colorOfImage(image: string): string | undefined {
  const withoutDigest = image.split('@', 1)[0] ?? '';
  const lastPart = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  if (colon < 0) return undefined;
  const tag = lastPart.slice(colon + 1);
  return tag === '' ? undefined : tag;
}

export function colorOfPod(pod: DemoPod): string | undefined {
  const image = pod.spec?.containers[0]?.image;
  return image === undefined ? undefined : colorOfImage(image);
}

/** Ready as endpoints see it: the Ready condition is True and the pod is not being deleted. */
export function isPodReady(pod: DemoPod): boolean {
  if (pod.metadata.deletionTimestamp !== undefined) return false;
  return pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
}
