import { Command } from 'commander';
import { isConflict, readRollout, rolloutResource, RolloutVerbError, type KubeContext } from '../../rollout-actions/kube-client.js';
import { kubeContext, verbAction, withKubeOptions, type KubeOptions } from './kube-options.js';
import { parseImageUpdate, withImage, type ImageUpdate } from '../../rollout-actions/patches.js';
import type { PodTemplateLike } from '../../rollout-view/types.js';

// Argo retries a whole-object update this many times when someone else wrote the object in between.
const maxAttempts = 5;

interface Updatable {
  kind?: string | undefined;
  metadata?: { name?: string | undefined } | undefined;
  spec?: { template?: PodTemplateLike | undefined } | undefined;
}

function applyAll(object: Updatable, updates: readonly ImageUpdate[]): Updatable {
  let current = object;
  for (const update of updates) {
    const next = withImage(current, update);
    if (next === undefined) throw new RolloutVerbError('REFUSED', `unable to find container named "${update.container}"`);
    current = next;
  }
  return current;
}

/**
 * One read-modify-write of the Rollout, or of the Deployment it references
 * (workloadRef), as set_image.go does. Both are read and written untyped
 * through the custom-objects client so fields this client does not know
 * survive the round trip; resourceVersion makes a concurrent write a 409.
 */
async function setImagesOnce(kube: KubeContext, name: string, updates: readonly ImageUpdate[]): Promise<Updatable> {
  const rollout = await readRollout(kube, name);
  const ref = rollout.spec?.workloadRef;
  if (ref?.name === undefined) {
    const body = applyAll(rollout, updates);
    return (await kube.customObjects.replaceNamespacedCustomObject({
      ...rolloutResource,
      namespace: kube.namespace,
      name,
      body,
    })) as Updatable;
  }
  const deployment = { group: 'apps', version: 'v1', plural: 'deployments', namespace: kube.namespace, name: ref.name };
  const body = applyAll((await kube.customObjects.getNamespacedCustomObject(deployment)) as Updatable, updates);
  return (await kube.customObjects.replaceNamespacedCustomObject({ ...deployment, body })) as Updatable;
}

/** `gradual set image ROLLOUT CONTAINER=IMAGE...`: changes container images (`*` for all, init and ephemeral containers included). */
export function setCommand(): Command {
  const set = new Command('set').description('update a rollout');
  set.addCommand(
    withKubeOptions(new Command('image'))
      .description('update the image of containers of a rollout (CONTAINER=IMAGE; *=IMAGE for every container)')
      .argument('<rollout>', 'name of the Rollout')
      .argument('<container=image...>', 'container name (or *) and image')
      .action(
        verbAction(async (name: string, pairs: string[], options: KubeOptions) => {
          const updates = pairs.map((pair) => {
            const update = parseImageUpdate(pair);
            if (update === undefined) throw new RolloutVerbError('REFUSED', `expected CONTAINER=IMAGE, got "${pair}"`);
            return update;
          });
          const kube = kubeContext(options);
          for (let attempt = 1; ; attempt++) {
            try {
              const updated = await setImagesOnce(kube, name, updates);
              process.stdout.write(`${(updated.kind ?? 'Rollout').toLowerCase()} "${updated.metadata?.name ?? name}" image updated\n`);
              return;
            } catch (cause) {
              if (!isConflict(cause) || attempt >= maxAttempts) throw cause;
            }
          }
        }),
      ),
  );
  return set;
}
