import { describe, expect, it } from 'vitest';
import { mockProviderConfig } from '../../src/mock-model/provider-config.js';

const URL = 'http://127.0.0.1:4321/v1';

const PROVIDER_TABLE = [
  '[model_providers.mock]',
  'name = "mock"',
  'base_url = "http://127.0.0.1:4321/v1"',
  'wire_api = "responses"',
  'request_max_retries = 0',
  'stream_max_retries = 0',
  'supports_websockets = false',
].join('\n');

describe('mockProviderConfig', () => {
  it('writes the two root keys, then the provider table', () => {
    expect(mockProviderConfig(URL)).toBe(`model = "mock-model"\nmodel_provider = "mock"\n\n${PROVIDER_TABLE}\n`);
  });

  it('treats an empty template like none', () => {
    expect(mockProviderConfig(URL, '  \n')).toBe(mockProviderConfig(URL));
  });

  it('puts the root keys before a template and the provider table after it', () => {
    const template = 'approval_policy = "never"\n\n[features]\nweb_search = false\n';
    const config = mockProviderConfig(URL, template);
    expect(config).toBe(`model = "mock-model"\nmodel_provider = "mock"\n\napproval_policy = "never"\n\n[features]\nweb_search = false\n\n${PROVIDER_TABLE}\n`);
    // Root keys of the template stay at the root: nothing but the mock's keys precede them.
    expect(config.indexOf('approval_policy')).toBeLessThan(config.indexOf('['));
  });

  it("comments out the template's own root model keys, which would be TOML duplicates", () => {
    const template = 'model = "gpt-5"\n"model_provider" = "openai"\nmodel_reasoning_effort = "high"\n\n[profiles.x]\nmodel = "o3"\n';
    const config = mockProviderConfig(URL, template);
    expect(config.match(/^model = /gm)).toHaveLength(2); // the mock's root key and the profile's own
    expect(config).toContain('# model = "gpt-5"');
    expect(config).toContain('# "model_provider" = "openai"');
    expect(config).toContain('\nmodel_reasoning_effort = "high"\n');
    expect(config).toContain('[profiles.x]\nmodel = "o3"\n');
  });

  it('escapes the base URL as a TOML string', () => {
    expect(mockProviderConfig('http://127.0.0.1:1/v1"\nx = 1')).toContain('base_url = "http://127.0.0.1:1/v1\\"\\nx = 1"\n');
  });
});
