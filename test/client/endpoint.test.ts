import { describe, expect, it } from 'vitest';
import { agentSocketUrl, checkToken } from '../../src/client/endpoint.js';

describe('agentSocketUrl', () => {
  it('turns http and https base URLs into ws and wss agent socket URLs', () => {
    expect(agentSocketUrl('http://127.0.0.1:7340')).toBe('ws://127.0.0.1:7340/v1/agent');
    expect(agentSocketUrl('https://desk.example.gov.uk/')).toBe('wss://desk.example.gov.uk/v1/agent');
  });

  it('keeps ws and wss, a path prefix, and an explicit /v1/agent', () => {
    expect(agentSocketUrl('ws://localhost:9000')).toBe('ws://localhost:9000/v1/agent');
    expect(agentSocketUrl('wss://proxy.example/courtdesk/')).toBe('wss://proxy.example/courtdesk/v1/agent');
    expect(agentSocketUrl('ws://localhost:9000/v1/agent')).toBe('ws://localhost:9000/v1/agent');
  });

  it('drops a query string and fragment, which the client sets itself', () => {
    expect(agentSocketUrl('http://h:1/?epoch=x#y')).toBe('ws://h:1/v1/agent');
  });

  it('says what is wrong with a bad URL', () => {
    expect(() => agentSocketUrl('127.0.0.1:7340')).toThrow(/must start with http:\/\/, https:\/\/, ws:\/\/ or wss:\/\/ \(did you mean http:\/\/127\.0\.0\.1:7340\?\)/);
    expect(() => agentSocketUrl('localhost:7340')).toThrow(/did you mean http:\/\/localhost:7340\?/);
    expect(() => agentSocketUrl('http://exa mple')).toThrow(/is not a URL\. Write it like http:\/\/127\.0\.0\.1:7340/);
    expect(() => agentSocketUrl('ftp://h')).toThrow(/got "ftp:"/);
    expect(() => agentSocketUrl('http://me:secret@h')).toThrow(/must not carry a user name or password/);
  });
});

describe('checkToken', () => {
  it('accepts a token and trims a copied newline', () => {
    expect(checkToken('cd_abc123\n')).toBe('cd_abc123');
  });

  it('names the problem without echoing the token', () => {
    expect(() => checkToken('  ')).toThrow(/No token given/);
    let message = '';
    try {
      checkToken('secret part\u0000two');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/characters a token cannot hold/);
    expect(message).not.toContain('secret');
  });
});
