import { z } from 'zod';
import { strictObject } from './strict-object.ts';

/**
 * A relay profile: how the harness starts a relay under test, submits jobs through it as a user,
 * listens downstream as that user's browser, and reads what it hears (docs/relays.md). Data, so a
 * team can describe its own backend in a YAML file without writing code.
 *
 * Strings may hold placeholders, filled in per run and per user:
 * `{{port}}` (the relay's port), `{{comfyUrl}}`, `{{brokerUrl}}`, `{{brokerLogin}}`,
 * `{{brokerPasscode}}`, `{{userId}}`, `{{clientId}}` (the user's browser id). A string that is
 * exactly `{{prompt}}` is replaced by the job's prompt object.
 */

/** A dotted path into a JSON message, e.g. `prompt_id` or `data.task.prompt_id`. */
const jsonPath = z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a path is dot-separated field names, e.g. "data.prompt_id"');

/** Which downstream messages are of a kind: by Socket.IO event name and/or equal fields. */
const messageMatcher = strictObject({
  /** The Socket.IO event name (Socket.IO downstreams only). */
  event: z.string().min(1).optional(),
  /** Fields that must equal these values, e.g. `{ type: progress }`. */
  match: z.record(jsonPath, z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** Where the message says which prompt it is about; without it the harness attributes the message to the user's oldest unfinished job. */
  promptIdPath: jsonPath.optional(),
});

export const relayMessages = strictObject({
  progress: messageMatcher.extend({ valuePath: jsonPath.default('value'), maxPath: jsonPath.default('max') }),
  completed: messageMatcher.extend({
    /** Where the image URLs are (a list of `/view?filename=..&subfolder=..&type=..` URLs). */
    urlsPath: jsonPath.default('urls'),
  }),
  failed: messageMatcher.extend({ errorPath: jsonPath.optional() }),
});
export type RelayMessages = z.infer<typeof relayMessages>;

const templateRecord = z.record(z.string(), z.string()).default({});

/** A JSON value with placeholders; required, with a message that shows one. */
const jsonTemplate = (what: string) =>
  z.custom<unknown>((v) => v !== undefined, `give the ${what} to send, with placeholders, e.g. { userId: "{{userId}}", prompt: "{{prompt}}" }`);

export const relaySubmit = z.discriminatedUnion('kind', [
  /** An HTTP request to the relay; the answer's JSON has the prompt id at `promptIdPath`. */
  strictObject({
    kind: z.literal('http'),
    method: z.enum(['POST', 'PUT']).default('POST'),
    path: z.string().startsWith('/', 'the submit path starts with "/", e.g. "/api/jobs"'),
    /** The JSON body, with placeholders. */
    body: jsonTemplate('JSON body'),
    headers: templateRecord,
    promptIdPath: jsonPath.default('prompt_id'),
  }),
  /** A Socket.IO event emitted on the user's own downstream socket; its acknowledgement has the prompt id. */
  strictObject({
    kind: z.literal('socketio-emit'),
    event: z.string().min(1),
    payload: jsonTemplate('event payload'),
    promptIdPath: jsonPath.default('prompt_id'),
  }),
]);
export type RelaySubmit = z.infer<typeof relaySubmit>;

export const relayDownstream = z.discriminatedUnion('protocol', [
  /** STOMP over WebSocket (`@stomp/stompjs`), to the relay's own endpoint or a broker. */
  strictObject({
    protocol: z.literal('stomp'),
    url: z.string().min(1),
    connectHeaders: templateRecord,
    destination: z.string().min(1),
    /** `client-individual`: the browser ACKs each message after recording it. */
    ack: z.enum(['auto', 'client', 'client-individual']).default('auto'),
    subscribeHeaders: templateRecord,
    /** WebSocket subprotocols to offer; brokers such as RabbitMQ need the STOMP ones. */
    subprotocols: z.array(z.string()).default(['v12.stomp', 'v11.stomp', 'v10.stomp']),
  }),
  /** Socket.IO (`socket.io-client`), WebSocket transport. */
  strictObject({
    protocol: z.literal('socketio'),
    url: z.string().min(1),
    path: z.string().default('/socket.io'),
    auth: templateRecord,
    query: templateRecord,
    /** Like a browser's Socket.IO client: reconnect this many times, then give up [default 5]. */
    reconnectionAttempts: z.number().int().nonnegative().default(5),
    /** Acknowledge events that ask for it (an ack callback) once recorded [default true]. */
    acknowledge: z.boolean().default(true),
  }),
  /** Plain WebSocket with JSON text frames. */
  strictObject({ protocol: z.literal('ws'), url: z.string().min(1) }),
]);
export type RelayDownstream = z.infer<typeof relayDownstream>;

export const relayProfile = strictObject({
  /** Shown in reports as the client's name. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a relay name is kebab-case, e.g. "spring-stomp"'),
  description: z.string().default(''),
  /** The command line that starts the relay (a string is split on spaces; an array is taken as is). */
  command: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** Run once before the first start, e.g. a build; must exit 0 [default none]. */
  prepare: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** Working directory, relative to the profile file's folder [default the repository root]. */
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).default({}),
  /** GET this on the relay's port until it answers 2xx. */
  readyPath: z.string().startsWith('/').default('/health'),
  startTimeoutMs: z.number().positive().default(60_000),
  stopTimeoutMs: z.number().positive().default(5_000),
  /** `stomp`: the relay publishes through a STOMP broker, which the harness acquires and passes as `STOMP_BROKER_URL`. */
  broker: z.enum(['none', 'stomp']).default('none'),
  /** The relay refunds failed jobs by POSTing to `REFUND_URL`: judged by the `refund-once` invariant. */
  refunds: z.boolean().default(false),
  /** How long the harness waits for the relay to accept one submission, in ms [default 15000]. */
  submitTimeoutMs: z.number().positive().default(15_000),
  submit: relaySubmit,
  downstream: relayDownstream,
  messages: relayMessages,
}).superRefine((p, ctx) => {
  if (p.submit.kind === 'socketio-emit' && p.downstream.protocol !== 'socketio') {
    ctx.addIssue({ code: 'custom', path: ['submit', 'kind'], message: 'socketio-emit submits need a socketio downstream' });
  }
  for (const kind of ['progress', 'completed', 'failed'] as const) {
    const m = p.messages[kind];
    if (p.downstream.protocol === 'socketio' && !m.event) {
      ctx.addIssue({ code: 'custom', path: ['messages', kind, 'event'], message: 'a Socket.IO downstream names the event of each message kind' });
    }
    if (p.downstream.protocol !== 'socketio' && Object.keys(m.match).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['messages', kind, 'match'], message: 'say which fields tell this kind of message apart, e.g. { type: progress }' });
    }
  }
});
export type RelayProfile = z.infer<typeof relayProfile>;
export type RelayProfileInput = z.input<typeof relayProfile>;
