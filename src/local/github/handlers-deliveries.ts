import { notFound } from './errors.js';
import { listed, numberParam, type Handler, type HandlerInput } from './handler.js';
import type { Schemas } from './shape-user.js';
import type { DeliveryRecord } from './types.js';

/** The app's webhook deliveries log, newest first, as `GET /app/hook/deliveries` lists it. */
export const listWebhookDeliveries: Handler = (input) => ({
  status: 200,
  ...listed(input, [...input.state.deliveries].reverse(), shapeDeliveryItem),
});

export const getWebhookDelivery: Handler = (input) => {
  const delivery = findDelivery(input);
  const shaped: Schemas['hook-delivery'] = {
    ...deliveryFields(delivery),
    request: {
      headers: { 'X-GitHub-Event': delivery.event, 'X-GitHub-Delivery': delivery.guid, 'Content-Type': 'application/json' },
      payload: JSON.parse(delivery.body) as Record<string, unknown>,
    },
    response: { headers: null, payload: null },
  };
  return { status: 200, body: shaped };
};

/** Sends the delivery again, with the same delivery id and body; the attempt is logged as a redelivery. */
export const redeliverWebhookDelivery: Handler = (input) => {
  const delivery = findDelivery(input);
  return { status: 202, body: {}, redeliveries: [delivery.id] };
};

function findDelivery(input: HandlerInput): DeliveryRecord {
  const id = numberParam(input, 'delivery_id');
  const delivery = input.state.deliveries.find((candidate) => candidate.id === id);
  if (delivery === undefined) throw notFound();
  return delivery;
}

function shapeDeliveryItem(delivery: DeliveryRecord): Schemas['hook-delivery-item'] {
  return deliveryFields(delivery);
}

function deliveryFields(delivery: DeliveryRecord): {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
} {
  return {
    id: delivery.id,
    guid: delivery.guid,
    delivered_at: delivery.deliveredAt,
    redelivery: delivery.redelivery,
    duration: (delivery.durationMs ?? 0) / 1000,
    status: delivery.outcome,
    status_code: delivery.statusCode,
    event: delivery.event,
    action: delivery.action,
    installation_id: delivery.installationId,
    repository_id: delivery.repositoryId,
  };
}
