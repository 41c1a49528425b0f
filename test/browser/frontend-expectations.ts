/**
 * What the frontend browser test (frontend.test.ts) accepts because ComfyUI 0.3.64 does the same
 * to a fresh user, each with the reason. Anything else that fails on the page fails the test.
 */
export interface FrontendCase {
  /** comfyui-frontend-package version, installed in .tools/frontend/<version>. */
  version: string;
  /** The simulator's ComfyUI profile. */
  profile: string;
  /** The sidebar button whose panel shows a finished job's images. */
  queueButton: string;
  /** Width and height of the default graph's empty latent, which the saved image must have. */
  imageSize: [number, number];
}

export interface ExpectedMiss {
  url: RegExp;
  why: string;
}

/** 404s a real ComfyUI gives too: files a fresh user does not have yet (app/user_manager.py answers 404). */
export function expectedMisses(_testCase: FrontendCase): ExpectedMiss[] {
  return [
    { url: /\/user\.css$/, why: 'index.html links user.css, which no frontend package ships; ComfyUI\'s static route answers 404' },
    { url: /\/api\/userdata\/user\.css$/, why: 'a fresh user has no user.css: GET /userdata/{file} is 404' },
    { url: /\/api\/userdata\/comfy\.templates\.json$/, why: 'a fresh user has no saved templates: 404' },
    { url: /\/api\/userdata\/workflows%2F\.index\.json$/, why: 'the workflows folder index exists only once the frontend has written one: 404 until then' },
    { url: /\/api\/userdata\?dir=(workflows|subgraphs)(%2F)?&/, why: 'a fresh user has no workflows or subgraphs folder: GET /userdata?dir= is 404 "Directory not found"' },
  ];
}

/**
 * 1.27.10 throws once at start-up in its own settings code: registering Comfy.Canvas.NavigationMode
 * runs its onChange, which sets Comfy.Canvas.LeftMouseClickBehavior before that setting is
 * registered, and the store's onChange reads `.id` of undefined (seen in a run; the frontend's
 * settingStore onChange / GraphView's NavigationMode setting). No server reply is involved.
 */
export function isExpectedPageError(testCase: FrontendCase, error: Error): boolean {
  return testCase.version === '1.27.10' && error.message === "Cannot read properties of undefined (reading 'id')" && /onChange[\s\S]*addSetting/.test(error.stack ?? '');
}
