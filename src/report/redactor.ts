import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stringifyJson } from '../json/stringify.js';

export const REDACTED = '[redacted]';

/** Key names (lower case, without `_` and `-`) whose values are secrets wherever they appear. */
const SECRET_KEYS = new Set(['authorization', 'cookie', 'setcookie', 'password', 'passwd', 'secret', 'privatekey', 'credentials']);
/** Endings of secret key names: `OPENAI_API_KEY`, `accessToken`, `clientSecret`, `AWS_SECRET_ACCESS_KEY`, `DB_PASSWD`, ... (`maxTokens` is not one). */
const SECRET_ENDINGS = ['apikey', 'token', 'secret', 'password', 'passwd', 'accesskey', 'privatekey'];
/**
 * Environment variables are named more loosely (`OPENAI_KEY`, `GITHUB_PAT`, `PGPASS`): a
 * variable ending in one of these words holds a secret too (not `PWD`: that is the working
 * directory). Only for the environment: in JSON data, keys such as `partition_key` are ordinary.
 */
const SECRET_ENV_NAME = /(?:^|_)(?:KEY|PAT|PASS|PASSWD|PASSPHRASE|CREDENTIALS?)$/i;
/** A quick look for such a key in JSON text, before paying for a parse. */
const SECRET_KEY_IN_TEXT = /"[A-Za-z0-9_-]*(?:api[_-]?key|token|secret|password|passwd|authorization|cookie|credentials|private[_-]?key|access[_-]?key)"\s*:/i;
/** Secret values shorter than this are not looked for in text: too likely to match by chance. */
const MIN_SECRET_LENGTH = 8;

/** Characters JSON text must escape. */
// eslint-disable-next-line no-control-regex
const MUST_ESCAPE = /["\\\u0000-\u001f]/;
/** Escapes that may stand for any character. */
const ESCAPES_ANY_CHARACTER = /\\[u/]/;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** JSON text with its string escapes decoded: every string's content as the parser would see it (for searching, not parsing). */
export function decodeJsonEscapes(json: string): string {
  return json.replace(/\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g, (_, hex: string | undefined, simple: string | undefined) =>
    hex !== undefined ? String.fromCharCode(Number.parseInt(hex, 16)) : SIMPLE_ESCAPES[simple!]!,
  );
}

function normalise(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/**
 * Keeps secrets out of everything cas writes: values of secret-looking keys (tokens, API keys,
 * passwords, and any `--redact-key`) become `[redacted]`, and known secret values (from the
 * template's auth.json and secret-looking environment variables) are cut out of any text.
 */
export class Redactor {
  readonly #extraKeys: Set<string>;
  readonly #values: string[];
  /** A known secret holds a character JSON must escape. */
  readonly #escapableSecret: boolean;

  constructor(extraKeys: readonly string[] = [], secretValues: readonly string[] = []) {
    this.#extraKeys = new Set(extraKeys.map(normalise));
    this.#values = [...new Set(secretValues.filter((value) => value.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
    this.#escapableSecret = this.#values.some((value) => MUST_ESCAPE.test(value));
  }

  /** True when `key` holds a secret. */
  isSecretKey(key: string): boolean {
    const name = normalise(key);
    return SECRET_KEYS.has(name) || this.#extraKeys.has(name) || SECRET_ENDINGS.some((ending) => name.endsWith(ending));
  }

  /** True when the environment variable `name` holds a secret. */
  isSecretEnvName(name: string): boolean {
    return this.isSecretKey(name) || SECRET_ENV_NAME.test(name);
  }

  /** A copy of `value` with secret keys' values and known secret strings replaced. */
  value<T>(value: T): T {
    return this.#walk(value) as T;
  }

  /** `text` with every known secret value replaced. */
  text(text: string): string {
    let out = text;
    for (const secret of this.#values) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  /**
   * Whether JSON text may hold a secret (a secret-looking key, or a known secret value), judged on
   * the decoded text: a key or value may be written with escapes (`\u0074oken`, a password
   * holding `"` or `\\`), and the raw text would not show it.
   */
  mayHoldSecret(json: string): boolean {
    const decoded = this.#mayBeHidden(json) ? decodeJsonEscapes(json) : json;
    return SECRET_KEY_IN_TEXT.test(decoded) || this.#extraKeys.size > 0 || this.#values.some((secret) => decoded.includes(secret));
  }

  /**
   * Whether escapes in the text could hide a key or known secret from a raw search: `\u` and `\/`
   * can stand for any such character; `\"`, `\\` and the control escapes only for secrets that hold
   * those characters (no key name does). Common text (`\n` in messages) keeps the raw search.
   */
  #mayBeHidden(json: string): boolean {
    return json.includes('\\') && (this.#escapableSecret || ESCAPES_ANY_CHARACTER.test(json));
  }

  /** JSON text as is when it holds no secret, else parsed, redacted (decoded keys and values compared) and written again; `changed` says which. */
  json(text: string): { text: string; changed: boolean } {
    if (!this.mayHoldSecret(text)) return { text, changed: false };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { text: this.text(text), changed: true };
    }
    const redacted = stringifyJson(this.value(parsed));
    return redacted === stringifyJson(parsed) ? { text, changed: false } : { text: redacted, changed: true };
  }

  /** The copy, built with an explicit stack: untrusted JSON may nest deeper than the call stack allows. */
  #walk(root: unknown): unknown {
    const leaf = (value: unknown, key: string | undefined): unknown => {
      if (key !== undefined && this.isSecretKey(key) && value !== null && value !== undefined && typeof value !== 'object') return REDACTED;
      return typeof value === 'string' ? this.text(value) : value;
    };
    if (typeof root !== 'object' || root === null) return leaf(root, undefined);
    const copy = (node: object): unknown[] | Record<string, unknown> => (Array.isArray(node) ? new Array<unknown>(node.length) : {});
    const out = copy(root);
    const stack: Array<[source: object, target: unknown[] | Record<string, unknown>]> = [[root, out]];
    while (stack.length > 0) {
      const [source, target] = stack.pop()!;
      const entries: Array<[string | number, unknown]> = Array.isArray(source) ? source.map((item, index) => [index, item]) : Object.entries(source);
      for (const [key, item] of entries) {
        let value: unknown;
        if (typeof item === 'object' && item !== null) {
          value = copy(item);
          stack.push([item, value as unknown[] | Record<string, unknown>]);
        } else {
          value = leaf(item, typeof key === 'string' ? key : undefined);
        }
        (target as Record<string | number, unknown>)[key] = value;
      }
    }
    return out;
  }
}

/** The values under secret keys in a JSON file (a template's auth.json: tokens, API keys), or none. */
function secretsIn(file: string, redactor: Redactor): string[] {
  try {
    const found: string[] = [];
    const stack: Array<[unknown, string]> = [[JSON.parse(readFileSync(file, 'utf8')), '']];
    while (stack.length > 0) {
      const [value, key] = stack.pop()!;
      if (typeof value === 'string' && redactor.isSecretKey(key)) found.push(value);
      else if (typeof value === 'object' && value !== null) for (const [inner, item] of Object.entries(value)) stack.push([item, inner]);
    }
    return found;
  } catch {
    return [];
  }
}

/** The redactor for a run: `--redact-key` names, the template's auth.json, and secret-looking environment variables. */
export function redactorFor(options: { redactKeys?: readonly string[]; codexHomeTemplate?: string; env?: NodeJS.ProcessEnv }): Redactor {
  const probe = new Redactor(options.redactKeys);
  const fromEnv = Object.entries(options.env ?? process.env)
    .filter(([name, value]) => value !== undefined && probe.isSecretEnvName(name))
    .map(([, value]) => value!);
  const fromAuth = options.codexHomeTemplate === undefined ? [] : secretsIn(path.join(options.codexHomeTemplate, 'auth.json'), probe);
  return new Redactor(options.redactKeys, [...fromEnv, ...fromAuth]);
}
