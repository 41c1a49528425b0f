import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clientBasePath, clientScheme, comfyuiProfile } from '../../../src/protocol/index.ts';
import { comfyuiProfiles, comfyuiReleases, findComfyuiProfile, resolveComfyuiProfiles, UnknownProfileError } from '../../../src/simulator/profiles/index.ts';
import { decidePromptId } from '../../../src/simulator/profiles/prompt-ids.ts';

describe('comfyuiProfile (the schema)', () => {
  it('defaults every field to the baseline, so a profile states only its differences', () => {
    const p = comfyuiProfile.parse({ name: 'x', summary: 's', comfyuiVersion: '1' });
    expect(p).toMatchObject({
      promptIds: 'client-or-uuid4',
      featureFlags: { supports_preview_metadata: true, max_upload_size: 104_857_600 },
      progressState: true,
      targetedInterrupt: true,
      queueCreateTime: false,
      jobsApi: false,
      systemStats: { omit: [], set: {} },
      front: { prefix: '', apiOnly: false },
    });
  });

  it('names the path of a wrong or unknown field', () => {
    const bad = comfyuiProfile.safeParse({ name: 'x', summary: 's', comfyuiVersion: '1', promptIds: 'mine', front: { prefix: 'comfyui' }, progresState: false });
    expect(bad.success).toBe(false);
    const text = z.prettifyError(bad.error!);
    expect(text).toContain('promptIds');
    expect(text).toContain('front.prefix');
    expect(text).toMatch(/progresState/);
  });

  it('gives a client the base path of the front: prefix, then /api when only that is forwarded', () => {
    expect(clientBasePath(comfyuiProfile.parse({ name: 'x', summary: 's', comfyuiVersion: '1' }))).toBe('');
    expect(clientBasePath(findComfyuiProfile('gateway-api-prefix'))).toBe('/comfyui/api');
  });
});

describe('the built-in profiles', () => {
  it('are valid and uniquely named; all is every release, without the front', () => {
    for (const p of comfyuiProfiles) expect(comfyuiProfile.parse(p)).toEqual(p);
    expect(new Set(comfyuiProfiles.map((p) => p.name)).size).toBe(comfyuiProfiles.length);
    expect(resolveComfyuiProfiles(['all']).map((p) => p.name)).toEqual(['0.3.44', '0.3.64', 'current']);
    expect(comfyuiReleases).toEqual(resolveComfyuiProfiles(['all']));
    expect(resolveComfyuiProfiles(['0.3.44,current', 'current', 'gateway-api-prefix']).map((p) => p.name)).toEqual(['0.3.44', 'current', 'gateway-api-prefix']);
  });

  it('gateway-tls is a front (https and wss), chosen by name only: not in all', () => {
    const [tls] = resolveComfyuiProfiles(['gateway-tls']);
    expect(tls!.front).toEqual({ prefix: '', apiOnly: false, tls: true });
    expect(clientScheme(tls!)).toBe('https');
    expect(clientBasePath(tls!)).toBe('');
    expect(comfyuiReleases.map((p) => p.name)).not.toContain('gateway-tls');
    expect(comfyuiReleases.every((p) => clientScheme(p) === 'http')).toBe(true);
  });

  it('an unknown name is an error with a stable code listing the known ones', () => {
    expect(() => findComfyuiProfile('0.2')).toThrow(UnknownProfileError);
    expect(() => resolveComfyuiProfiles(['all', '0.2'])).toThrow(expect.objectContaining({ code: 'CC_ERR_UNKNOWN_COMFYUI_PROFILE', message: expect.stringContaining('known: 0.3.44, 0.3.64, current, gateway-api-prefix') }));
  });
});

describe('decidePromptId', () => {
  const fresh = () => 'fresh';
  const known = (id: string) => id === 'a1b2c3d4-0000-4000-8000-000000000001';
  it('0.3.64 keeps any string, 0.3.44 never keeps one', () => {
    expect(decidePromptId({ promptIds: 'client-or-uuid4' }, 'anything', fresh, known)).toEqual({ ok: true, promptId: 'anything' });
    expect(decidePromptId({ promptIds: 'client-or-uuid4' }, 5, fresh, known)).toEqual({ ok: true, promptId: 'fresh' });
    expect(decidePromptId({ promptIds: 'always-uuid4' }, 'anything', fresh, known)).toEqual({ ok: true, promptId: 'fresh' });
  });

  it('current keeps a canonical UUID, refuses other spellings (400) and a queued id (409)', () => {
    const rule = { promptIds: 'canonical-uuid' } as const;
    expect(decidePromptId(rule, 'a1b2c3d4-0000-4000-8000-000000000002', fresh, known)).toEqual({ ok: true, promptId: 'a1b2c3d4-0000-4000-8000-000000000002' });
    expect(decidePromptId(rule, null, fresh, known)).toEqual({ ok: true, promptId: 'fresh' });
    expect(decidePromptId(rule, 'A1B2C3D4-0000-4000-8000-000000000002', fresh, known)).toMatchObject({ ok: false, status: 400, body: { error: { type: 'invalid_prompt_id' } } });
    expect(decidePromptId(rule, 'a1b2c3d400004000800000000000002', fresh, known)).toMatchObject({ ok: false, status: 400 });
    expect(decidePromptId(rule, 42, fresh, known)).toMatchObject({ ok: false, status: 400 });
    expect(decidePromptId(rule, 'a1b2c3d4-0000-4000-8000-000000000001', fresh, known)).toMatchObject({ ok: false, status: 409 });
  });
});
