/**
 * Kinds the API server serves without a namespace, known without discovery so
 * that parsing stays pure. A cluster-scoped kind missing here would be given
 * the environment's namespace, which the API server ignores for
 * cluster-scoped objects on apply; the plan would then name it wrongly.
 */
export const clusterScopedKinds: ReadonlySet<string> = new Set([
  'APIService',
  'CertificateSigningRequest',
  'ClusterAnalysisTemplate',
  'ClusterRole',
  'ClusterRoleBinding',
  'CSIDriver',
  'CSINode',
  'CustomResourceDefinition',
  'FlowSchema',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'RuntimeClass',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);
