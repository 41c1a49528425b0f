/**
 * Placeholders in relay profiles (src/protocol/relay-profile.ts): `{{name}}` in strings, and a
 * string that is exactly `{{prompt}}` (or any `{{name}}` whose value is not a string) replaced by
 * the value itself. Unknown names are an error that names them, not a silent empty string.
 */
export type TemplateValues = Record<string, unknown>;

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

function lookup(values: TemplateValues, name: string, where: string): unknown {
  if (!(name in values)) throw new TemplateError(`unknown placeholder {{${name}}} in ${where} (known: ${Object.keys(values).map((k) => `{{${k}}}`).join(', ')})`);
  return values[name];
}

/** Fills one string. */
export function fillString(text: string, values: TemplateValues, where = 'the profile'): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => String(lookup(values, name, where)));
}

/** Fills every string in a JSON-like value; `"{{x}}"` alone becomes the value of x, whatever its type. */
export function fill(value: unknown, values: TemplateValues, where = 'the profile'): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}$/.exec(value);
    if (whole) return lookup(values, whole[1]!, where);
    return fillString(value, values, where);
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, values, where));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values, where)]));
  return value;
}

export function fillRecord(record: Record<string, string>, values: TemplateValues, where: string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fillString(v, values, `${where}.${k}`)]));
}

/** The value at a dotted path (`data.prompt_id`), or undefined. */
export function valueAt(value: unknown, path: string): unknown {
  let here = value;
  for (const key of path.split('.')) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}
