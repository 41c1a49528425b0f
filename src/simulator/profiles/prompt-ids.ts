import type { ComfyuiProfile } from '../../protocol/index.ts';

/** A canonical UUID as Python's `str(uuid.UUID(value))` writes it: lowercase, hyphenated. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type PromptIdDecision =
  | { ok: true; promptId: string }
  | { ok: false; status: 400 | 409; body: Record<string, unknown> };

/**
 * The prompt id a POST /prompt gets under `profile` (its `promptIds` rule), before validation.
 * `isKnown` says whether an id is already queued or running (the current server's 409).
 */
export function decidePromptId(profile: Pick<ComfyuiProfile, 'promptIds'>, requested: unknown, fresh: () => string, isKnown: (id: string) => boolean): PromptIdDecision {
  switch (profile.promptIds) {
    case 'always-uuid4':
      return { ok: true, promptId: fresh() };
    case 'client-or-uuid4':
      return { ok: true, promptId: typeof requested === 'string' ? requested : fresh() };
    case 'canonical-uuid': {
      if (requested === undefined || requested === null) return { ok: true, promptId: fresh() };
      if (typeof requested !== 'string' || !CANONICAL_UUID.test(requested)) {
        return {
          ok: false,
          status: 400,
          body: {
            error: {
              type: 'invalid_prompt_id',
              message: 'prompt_id must be a valid UUID',
              details: `prompt_id ${JSON.stringify(requested).slice(0, 80)} is not a UUID in lowercase hyphenated form; leave it out and the server makes one`,
              extra_info: {},
            },
            node_errors: {},
          },
        };
      }
      if (isKnown(requested)) return { ok: false, status: 409, body: { error: 'prompt_id already exists' } };
      return { ok: true, promptId: requested };
    }
  }
}
