import { env } from '@openim-sync/runtime';
import { z } from 'zod';

/**
 * Variables of OpenIM's before-callbacks (moderation, approvals), merged into
 * the ingress's config schema. OpenIM waits for the answer to a before-callback
 * and obeys it, so the ingress never queues one.
 */
export const beforeCallbackEnv = {
  BEFORE_CALLBACK_URL: env
    .url(['http', 'https'])
    .optional()
    .meta({
      description:
        "The App's endpoint: each before-callback is posted to `<url>/<command>` and the App's verdict relayed. " +
        'Unset: the ingress answers "continue" itself.',
      example: 'https://app.example.com/openim/before',
    }),
  // OpenIM's HTTP client stops at 15 s whatever its per-callback timeout says, hence the ceiling.
  BEFORE_CALLBACK_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .max(14_000, 'must stay under OpenIM’s fixed 15 s HTTP client timeout (and under its webhooks.yml timeout)')
    .default(2000)
    .meta({
      description:
        "Longest wait in ms for the App's verdict (at most 14000; above 4000 a warning is logged at start). Keep " +
        "it below the `timeout` of every enabled before-callback in OpenIM's webhooks.yml (5 s by default): " +
        "past it OpenIM fails the user's operation.",
    }),
  BEFORE_CALLBACK_ON_ERROR: z
    .enum(['continue', 'reject'])
    .default('continue')
    .meta({
      description:
        'Answer when the App times out, is unreachable or answers unusably: `continue`, or `reject` (errCode ' +
        '90004 or 90007, as OpenIM itself answers).',
    }),
  BEFORE_CALLBACK_AUTHORIZATION: z.string().optional().meta({
    description: 'Sent as the Authorization header with each before-callback forwarded to the App; never logged.',
    secret: true,
  }),
} as const;
