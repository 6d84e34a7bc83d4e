// The Rollout the bot's integration stories deploy, written as a person writes it in git (their file:line assertions read this text).

/** A canary Rollout of one container named as the Rollout, with the steps given as YAML flow lines (`setWeight: 50`, `pause: {}`). */
export function canaryRolloutYaml(options: { name?: string; image: string; replicas: number; steps: readonly string[] }): string {
  const name = options.name ?? 'web';
  return `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: ${name}
spec:
  replicas: ${String(options.replicas)}
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: ${name}
          image: ${options.image}
  strategy:
    canary:
      steps:
${options.steps.map((step) => `        - ${step}\n`).join('')}`;
}
