import type { WeightDestination } from '../types.js';
import type { IstioTargets } from './route-selection.js';
import { shortHost } from './route-selection.js';
import type { RouteDestination } from './schema.js';

/**
 * One route's destinations after a setWeight, as Argo's processRoutes and
 * patchVirtualService leave them: the canary gets the desired weight; the
 * stable gets what is left after the additional (experiment) destinations
 * and the weights of additional DestinationRule subsets, never below 0; an
 * additional destination already present gets its weight, a missing one is
 * appended (sorted by Service name, so the order never depends on map
 * iteration); an additional subset keeps its weight; any other destination
 * with a non-zero weight is removed. `changed` is false when nothing differs,
 * so a second pass writes nothing.
 */
export function splitRoute(
  destinations: readonly RouteDestination[],
  targets: IstioTargets,
  desiredWeight: number,
  additional: readonly WeightDestination[],
): { destinations: RouteDestination[]; changed: boolean } {
  const isAdditionalSubset = (subset: string): boolean => subset !== '' && targets.additionalSubsetNames.includes(subset);
  let stableWeight = 100 - desiredWeight - additional.reduce((sum, destination) => sum + destination.weight, 0);
  for (const destination of destinations) {
    if (isAdditionalSubset(destination.destination.subset ?? '')) stableWeight -= destination.weight ?? 0;
  }
  stableWeight = Math.max(stableWeight, 0);

  const pending = new Map(additional.map((destination) => [destination.serviceName, destination]));
  const result: RouteDestination[] = [];
  let changed = false;
  const keep = (destination: RouteDestination, weight: number): void => {
    if ((destination.weight ?? 0) === weight) {
      result.push(destination);
      return;
    }
    changed = true;
    result.push({ ...destination, weight });
  };
  for (const destination of destinations) {
    const host = shortHost(destination);
    const subset = destination.destination.subset ?? '';
    const experiment = pending.get(host);
    if (host === '') result.push(destination);
    else if (host === targets.canaryService || (subset !== '' && subset === targets.canarySubset)) keep(destination, desiredWeight);
    else if (host === targets.stableService || (subset !== '' && subset === targets.stableSubset)) keep(destination, stableWeight);
    else if (experiment !== undefined) {
      keep(destination, experiment.weight);
      pending.delete(host);
    } else if (isAdditionalSubset(subset) || (destination.weight ?? 0) === 0) {
      // Argo patches a stray destination only when its weight differs from 0, so one at 0 stays.
      result.push(destination);
    } else changed = true;
  }
  for (const name of [...pending.keys()].sort()) {
    const experiment = pending.get(name);
    // Argo appends only a destination whose weight differs from the 0 it assumes for a missing one.
    if (experiment === undefined || experiment.weight === 0) continue;
    changed = true;
    result.push({ destination: { host: experiment.serviceName }, weight: experiment.weight });
  }
  return { destinations: result, changed };
}
