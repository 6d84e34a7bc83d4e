import { randomBytes } from 'node:crypto';
import type { CoreV1Api } from '@kubernetes/client-node';

/** The component name Argo's controller reports in Events; tools that filter on it keep working. */
export const eventSourceComponent = 'rollouts-controller';

/** What an Event needs of the object it is about. */
export interface EventSubject {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  metadata?:
    | { name?: string | undefined; namespace?: string | undefined; uid?: string | undefined; resourceVersion?: string | undefined }
    | undefined;
}

export interface ObjectEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * Records a core/v1 Event about an object, as client-go's recorder writes one (named
 * `<object>.<unique suffix>`, count 1, Argo's source component). Rollouts and AnalysisRuns
 * both report through it.
 */
export async function recordObjectEvent(core: CoreV1Api, object: EventSubject, event: ObjectEvent, now: Date): Promise<void> {
  const name = object.metadata?.name ?? '';
  const namespace = object.metadata?.namespace ?? 'default';
  const { uid, resourceVersion } = object.metadata ?? {};
  await core.createNamespacedEvent({
    namespace,
    body: {
      metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        ...(object.apiVersion === undefined ? {} : { apiVersion: object.apiVersion }),
        ...(object.kind === undefined ? {} : { kind: object.kind }),
        name,
        namespace,
        ...(uid === undefined ? {} : { uid }),
        ...(resourceVersion === undefined ? {} : { resourceVersion }),
      },
      reason: event.reason,
      message: event.message,
      type: event.type,
      source: { component: eventSourceComponent },
      reportingComponent: eventSourceComponent,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    },
  });
}
