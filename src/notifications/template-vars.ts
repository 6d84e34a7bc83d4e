import { GoFunc, GoTime, fromJson, type GoValue } from './go-values.js';
import { parseRfc3339 } from './go-time.js';

/*
 * The variables a notification template sees, as Argo Rollouts builds them: `rollout` (the Rollout
 * as JSON, numbers float64), `time` (utils/record/record.go's timeExprs: Now and Parse), and, added
 * per destination by notifications-engine's api.Send, `serviceType` and `recipient`.
 * Not offered: `secrets` (Argo hands templates the Secret's raw bytes; a template that prints them
 * sends a credential to a chat channel) and `analysisRuns` (Argo lists them only with an informer).
 */
export function templateVars(
  rollout: unknown,
  destination: { service: string; recipient: string },
  nowMillis: number | undefined,
): GoValue {
  return {
    rollout: fromJson(rollout),
    time: {
      Now: new GoFunc('.time.Now', 0, () => {
        if (nowMillis === undefined) throw new Error('time.Now: no clock was given to the renderer');
        return GoTime.fromMillis(nowMillis);
      }),
      Parse: new GoFunc('.time.Parse', 1, ([text = null]) => {
        if (typeof text !== 'string')
          throw new Error(`wrong type for value; expected string; got ${text === null ? 'interface {}' : typeof text}`);
        return parseRfc3339(text);
      }),
    },
    serviceType: destination.service,
    recipient: destination.recipient,
  };
}
