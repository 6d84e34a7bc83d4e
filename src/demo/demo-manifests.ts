/**
 * The demo's manifest repository, `demo/rollouts-demo`: the Argo Rollouts
 * demo's canary (setWeight 20 → pause → 40 → pause 10s → 60 → pause 10s →
 * 100) behind an Istio VirtualService, with the success-rate analysis run in
 * the background from the first pause on. Pure: the caller writes the files.
 */
export const demoOwner = 'demo';
export const demoRepository = 'rollouts-demo';
export const demoRolloutName = 'rollouts-demo';
export const demoEnvironmentName = 'demo';
export const demoRolloutFile = 'rollouts-demo/rollout.yaml';

/** The colours of the story: main starts blue, pull request #1 rolls out yellow, #2 green. */
export const demoFirstColor = 'blue';
export const demoSecondColor = 'yellow';
export const demoThirdColor = 'green';

/** The check names the bot gives a rollout in `namespace`, as branch protection must require them. */
export function demoCheckNames(namespace: string): { plan: string; rollout: string } {
  return { plan: 'gradual/plan', rollout: `gradual/rollout ${namespace}/${demoRolloutName}` };
}

/** The image of one colour, as Argo's rollouts-demo tags them; the pod runner reads the colour back from the tag. */
export function demoImage(color: string): string {
  return `argoproj/rollouts-demo:${color}`;
}

export function demoRolloutYaml(color: string, namespace: string): string {
  return `# The Argo Rollouts demo's canary. Change the image's colour in a pull request to roll it out.
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: ${demoRolloutName}
spec:
  replicas: 5
  revisionHistoryLimit: 2
  selector:
    matchLabels:
      app: ${demoRolloutName}
  template:
    metadata:
      labels:
        app: ${demoRolloutName}
    spec:
      containers:
        - name: ${demoRolloutName}
          image: ${demoImage(color)}
          ports:
            - name: http
              containerPort: 8080
  strategy:
    canary:
      canaryService: ${demoRolloutName}-canary
      stableService: ${demoRolloutName}-stable
      trafficRouting:
        istio:
          virtualService:
            name: ${demoRolloutName}
            routes:
              - primary
      analysis:
        templates:
          - templateName: success-rate
        # From the first pause on: the canary has its 20 % of the requests by then.
        startingStep: 1
        args:
          - name: service-name
            value: ${demoRolloutName}-canary.${namespace}.svc.cluster.local
      steps:
        - setWeight: 20
        - pause: {}
        - setWeight: 40
        - pause: { duration: 10s }
        - setWeight: 60
        - pause: { duration: 10s }
        - setWeight: 100
`;
}

/**
 * The success rate of the canary's Service as Istio's telemetry reports it
 * (Argo's Istio analysis example, with a 20 s window to suit the 10 s
 * interval). No requests yet (an empty result) counts as success, as in the
 * seed's template.
 */
export function demoAnalysisTemplateYaml(prometheusUrl: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: success-rate
spec:
  args:
    - name: service-name
  metrics:
    - name: success-rate
      interval: 10s
      failureLimit: 2
      successCondition: len(result) == 0 || result[0] >= 0.90
      provider:
        prometheus:
          address: ${prometheusUrl}
          query: |
            sum(rate(istio_requests_total{reporter="destination",destination_service=~"{{args.service-name}}",response_code!~"5.*"}[20s]))
            /
            sum(rate(istio_requests_total{reporter="destination",destination_service=~"{{args.service-name}}"}[20s]))
`;
}

export function demoServicesYaml(): string {
  return ['stable', 'canary']
    .map(
      (role) => `apiVersion: v1
kind: Service
metadata:
  name: ${demoRolloutName}-${role}
spec:
  selector:
    app: ${demoRolloutName}
  ports:
    - name: http
      port: 80
      targetPort: http
`,
    )
    .join('---\n');
}

export function demoVirtualServiceYaml(): string {
  return `# The gateway of the demo routes requests by these weights; Gradual writes them at each setWeight step.
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: ${demoRolloutName}
spec:
  hosts:
    - ${demoRolloutName}
  http:
    - name: primary
      route:
        - destination:
            host: ${demoRolloutName}-stable
          weight: 100
        - destination:
            host: ${demoRolloutName}-canary
          weight: 0
`;
}

export function demoGradualYaml(namespace: string): string {
  return `# Which manifests Gradual deploys, and where.
environments:
  - name: ${demoEnvironmentName}
    paths: ['rollouts-demo/*.yaml']
    namespace: ${namespace}
`;
}

/** Every file of the repository's first commit, path → content. */
export function demoRepositoryFiles(options: { color: string; namespace: string; prometheusUrl: string }): Record<string, string> {
  return {
    'README.md': `# rollouts-demo\n\nThe Gradual demo's manifests. Open a pull request that changes the image's colour in \`${demoRolloutFile}\`; Gradual plans it, rolls it out on the pull request and reports each step.\n`,
    '.gradual.yml': demoGradualYaml(options.namespace),
    [demoRolloutFile]: demoRolloutYaml(options.color, options.namespace),
    'rollouts-demo/services.yaml': demoServicesYaml(),
    'rollouts-demo/virtualservice.yaml': demoVirtualServiceYaml(),
    'rollouts-demo/analysis-template.yaml': demoAnalysisTemplateYaml(options.prometheusUrl),
  };
}
