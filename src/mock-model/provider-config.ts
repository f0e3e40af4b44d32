/** The model name codex is told to use; the mock answers for any name. */
export const MOCK_MODEL_NAME = 'mock-model';

/** The provider id the config defines. */
export const MOCK_PROVIDER_ID = 'mock';

/** Root keys the mock config sets: the same keys in a template would be duplicates, which TOML forbids. */
const ROOT_KEYS = ['model', 'model_provider'];

/** A TOML basic string: JSON's escapes are all valid TOML. */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

/** Comments out the template's own root `model`/`model_provider` lines, which the mock replaces. */
function withoutRootKeys(existing: string): string {
  let atRoot = true;
  return existing
    .split('\n')
    .map((line) => {
      if (/^\s*\[/.test(line)) atRoot = false;
      const key = /^\s*([A-Za-z0-9_-]+|"[^"]*")\s*=/.exec(line)?.[1]?.replaceAll('"', '');
      return atRoot && key !== undefined && ROOT_KEYS.includes(key) ? `# ${line.trim()}  # replaced by the mock model` : line;
    })
    .join('\n');
}

/** The provider table's settings, as TOML `key = value` pairs. */
function providerSettings(baseUrl: string): string[] {
  return [
    `name = ${tomlString(MOCK_PROVIDER_ID)}`,
    `base_url = ${tomlString(baseUrl)}`,
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    'supports_websockets = false',
  ];
}

/**
 * The config.toml content that points codex at a mock model at `baseUrl` (…/v1), with retries
 * off so a failed request fails the turn at once. With `existing` (a template's config.toml),
 * the two root keys come first, then the existing content, then the provider table: TOML root
 * keys must precede every table.
 */
export function mockProviderConfig(baseUrl: string, existing?: string): string {
  const rootKeys = [`model = ${tomlString(MOCK_MODEL_NAME)}`, `model_provider = ${tomlString(MOCK_PROVIDER_ID)}`].join('\n');
  const table = [`[model_providers.${MOCK_PROVIDER_ID}]`, ...providerSettings(baseUrl)].join('\n');
  const middle = existing === undefined || existing.trim() === '' ? '' : `${withoutRootKeys(existing).trimEnd()}\n\n`;
  return `${rootKeys}\n\n${middle}${table}\n`;
}

/**
 * The same settings as `-c` overrides for `codex app-server`: they win over any config.toml,
 * so a home made by an earlier run (pointing at a mock long gone) follows this run's mock.
 */
export function mockProviderArgs(baseUrl: string): string[] {
  const table = providerSettings(baseUrl).join(', ');
  return [
    '-c', `model=${tomlString(MOCK_MODEL_NAME)}`,
    '-c', `model_provider=${tomlString(MOCK_PROVIDER_ID)}`,
    '-c', `model_providers.${MOCK_PROVIDER_ID}={ ${table} }`,
  ];
}

/**
 * The same settings as a `thread/start` `config` object: they point one thread of a server cas
 * did not start (reached with --connect) at the mock (measured on 0.169.0: the turn runs there).
 */
export function mockProviderThreadConfig(baseUrl: string): Record<string, unknown> {
  return {
    model: MOCK_MODEL_NAME,
    model_provider: MOCK_PROVIDER_ID,
    model_providers: {
      [MOCK_PROVIDER_ID]: { name: MOCK_PROVIDER_ID, base_url: baseUrl, wire_api: 'responses', request_max_retries: 0, stream_max_retries: 0, supports_websockets: false },
    },
  };
}
