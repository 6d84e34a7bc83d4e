import type { V1LabelSelector, V1PodTemplateSpec, V1ReplicaSet, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { EXPERIMENT_NAME_ANNOTATION, EXPERIMENT_TEMPLATE_NAME_ANNOTATION, POD_TEMPLATE_HASH_LABEL } from '../../api/argo-labels.js';
import type { Experiment, ExperimentTemplate } from '../../api/index.js';
import { computePodTemplateHash } from '../pod-template-hash.js';

/*
 * The objects an Experiment owns, as Argo's experiments/replicaset.go and service.go write them:
 * a ReplicaSet per template named `<experiment>-<template>`, labelled with its pod-template hash
 * (the template's labels plus the hash, the selector too), annotated with the experiment and
 * template names (how a ReplicaSet is matched to its template), owned by the Experiment; and, for a
 * template with `service`, a Service selecting the ReplicaSet's labels on the containers' ports.
 */

export const experimentApiVersion = 'argoproj.io/v1alpha1';

/** The controller ownerReference of every object an Experiment creates (ReplicaSets, Services, AnalysisRuns). */
export function experimentOwnerReference(experiment: Experiment) {
  return {
    apiVersion: experimentApiVersion,
    kind: 'Experiment',
    name: experiment.metadata?.name ?? '',
    uid: experiment.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The template's pod-template hash: Argo removes a hash label the template carries before hashing it. */
export function experimentPodTemplateHash(template: ExperimentTemplate, collisionCount: number | undefined): string {
  return computePodTemplateHash(templateWithoutHash(template), collisionCount);
}

function templateWithoutHash(template: ExperimentTemplate): ExperimentTemplate['template'] {
  const original = template.template.metadata;
  if (original?.labels?.[POD_TEMPLATE_HASH_LABEL] === undefined) return template.template;
  const labels = Object.fromEntries(Object.entries(original.labels).filter(([key]) => key !== POD_TEMPLATE_HASH_LABEL));
  return { ...template.template, metadata: { ...original, labels } };
}

/** Argo's newReplicaSetFromTemplate, created with `replicas` (Argo creates at 0 and scales up on the next pass). */
export function experimentReplicaSet(
  experiment: Experiment,
  template: ExperimentTemplate,
  collisionCount: number | undefined,
  replicas: number,
): V1ReplicaSet {
  const hash = experimentPodTemplateHash(template, collisionCount);
  const podTemplate = templateWithoutHash(template);
  const podLabels = { ...(podTemplate.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const selector = template.selector ?? {};
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${experiment.metadata?.name ?? ''}-${template.name}`,
      namespace: experiment.metadata?.namespace ?? 'default',
      labels: { ...podLabels },
      annotations: { [EXPERIMENT_NAME_ANNOTATION]: experiment.metadata?.name ?? '', [EXPERIMENT_TEMPLATE_NAME_ANNOTATION]: template.name },
      ownerReferences: [experimentOwnerReference(experiment)],
    },
    spec: {
      replicas,
      ...(template.minReadySeconds === undefined ? {} : { minReadySeconds: template.minReadySeconds }),
      selector: {
        ...(selector.matchExpressions === undefined ? {} : { matchExpressions: selector.matchExpressions }),
        matchLabels: { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash },
      } as V1LabelSelector,
      template: { ...podTemplate, metadata: { ...(podTemplate.metadata ?? {}), labels: podLabels } } as V1PodTemplateSpec,
    },
  };
}

interface ContainerPort {
  containerPort?: number;
  name?: string;
  protocol?: string;
}

/** The ports of the ReplicaSet's containers, as Argo's createTemplateService lists them. */
export function templateServicePorts(replicaSet: V1ReplicaSet): V1ServicePort[] {
  const ports: V1ServicePort[] = [];
  for (const container of replicaSet.spec?.template?.spec?.containers ?? []) {
    for (const port of (container.ports ?? []) as ContainerPort[]) {
      if (port.containerPort === undefined) continue;
      ports.push({
        ...(port.name === undefined || port.name === '' ? {} : { name: port.name }),
        ...(port.protocol === undefined ? {} : { protocol: port.protocol }),
        port: port.containerPort,
        targetPort: port.containerPort,
      });
    }
  }
  return ports;
}

/** Argo's CreateService: named as the ReplicaSet (or the template's service.name), selecting the ReplicaSet's labels. */
export function experimentService(experiment: Experiment, template: ExperimentTemplate, replicaSet: V1ReplicaSet): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name:
        template.service?.name !== undefined && template.service.name !== '' ? template.service.name : (replicaSet.metadata?.name ?? ''),
      namespace: experiment.metadata?.namespace ?? 'default',
      annotations: { [EXPERIMENT_NAME_ANNOTATION]: experiment.metadata?.name ?? '', [EXPERIMENT_TEMPLATE_NAME_ANNOTATION]: template.name },
      ownerReferences: [experimentOwnerReference(experiment)],
    },
    spec: { selector: { ...(replicaSet.metadata?.labels ?? {}) }, ports: templateServicePorts(replicaSet) },
  };
}

/** Whether an owned object (ReplicaSet, Service, AnalysisRun) belongs to this Experiment: its controller reference and annotation. */
export function ownedByExperiment(
  object: { metadata?: { ownerReferences?: { uid?: string; controller?: boolean }[]; annotations?: Record<string, string> } },
  experiment: Experiment,
): boolean {
  const owner = object.metadata?.ownerReferences?.find((reference) => reference.controller === true);
  return owner !== undefined && owner.uid === experiment.metadata?.uid;
}
