// Every table looked up by a name from outside (a frame's type, a CLI word, a setting, a key name,
// a filter word, a form field) must treat Object.prototype's names as the unknown names they are.
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWhatsAppWebhook } from '../src/broker/channels/whatsapp.js';
import { twilioParams, twilioSignature } from '../src/broker/channels/twilio.js';
import { run as escalate } from '../src/cli/commands/escalate.js';
import { parseNewEnquiry } from '../src/protocol/intake.js';
import { parseCommand } from '../src/protocol/parse-command.js';
import { keyBytes } from '../src/screen-script/keys.js';
import { parseScript } from '../src/screen-script/parse.js';
import { parseFilter } from '../src/workbench/filter.js';
import { parseSetting, storedSettingsProblem } from '../src/workbench/settings.js';
import { BIN, RawAgent, startTestBroker, type TestBroker } from './helpers/broker.js';
import { closedPort } from './helpers/ports.js';
import { PROTOTYPE_NAMES } from './helpers/prototype-names.js';

/** An object with `name` as an own key, as JSON.parse makes it (a literal `{ __proto__: 1 }` would set the prototype). */
function withKey(name: string, value: unknown, base: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...base, ...(JSON.parse(`{${JSON.stringify(name)}:${JSON.stringify(value)}}`) as Record<string, unknown>) };
}

describe('parseCommand', () => {
  it.each(PROTOTYPE_NAMES)('refuses "%s" as a command type, answering its ref', (name) => {
    expect(parseCommand(JSON.stringify({ type: name, ref: 'r1' }))).toMatchObject({ ok: false, ref: 'r1', error: { code: 'UNKNOWN_COMMAND' } });
  });

  it.each(PROTOTYPE_NAMES)('passes on only the declared fields when the frame also carries "%s"', (name) => {
    const parsed = parseCommand(JSON.stringify(withKey(name, 'x', { type: 'claim', ref: 'r1', enquiryId: 'E1' })));
    expect(parsed).toEqual({ ok: true, command: { type: 'claim', ref: 'r1', enquiryId: 'E1' } });
  });
});

describe('the agent socket', () => {
  let t: TestBroker;
  beforeAll(async () => {
    t = await startTestBroker();
  });
  afterAll(async () => {
    await t.close();
  });

  it('acks a "toString" or "constructor" frame as an unknown command and keeps the socket up', async () => {
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    await agent.welcome();
    for (const type of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const ack = await agent.command({ type, ref: `r-${type}` });
      expect(ack).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    }
    expect(await agent.command({ type: 'presence', ref: 'after', state: 'away' })).toMatchObject({ ok: true });
    agent.close();
  });
});

describe('HTTP intake', () => {
  it.each(PROTOTYPE_NAMES)('refuses "%s" as an unknown field', (name) => {
    const parsed = parseNewEnquiry(withKey(name, 'x', { channel: 'web', from: 'a@example.org', text: 'hello' }));
    expect(parsed).toMatchObject({ ok: false, message: expect.stringContaining('Unknown field') });
  });
});

describe('the courtdesk command table', () => {
  it('says "unknown command" (exit 2) for courtdesk toString', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'toString'], { timeout: 20_000 }, (err, _stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    expect(result).toEqual({ code: 2, stderr: 'courtdesk: unknown command "toString". Run `courtdesk help` to see the commands.\n' });
  });
});

describe('workbench settings', () => {
  it.each(PROTOTYPE_NAMES)('has no setting "%s", typed or saved', (name) => {
    expect(parseSetting(name, '1')).toEqual({ ok: false, reason: expect.stringContaining(`There is no setting "${name}"`) });
    expect(storedSettingsProblem(withKey(name, 1))).toContain(`there is no setting "${name}"`);
  });
});

describe('script key names', () => {
  it.each(PROTOTYPE_NAMES)('"%s" is not a key', (name) => {
    expect(keyBytes(name)).toBeNull();
    expect(parseScript(`press ${name}`)).toMatchObject({ ok: false, problems: [{ line: 1, message: expect.stringContaining(`unknown key "${name}"`) }] });
  });
});

describe('the queue filter', () => {
  it.each(PROTOTYPE_NAMES)('reads "%s" as a word to find, not a channel', (name) => {
    expect(parseFilter(name)).toEqual([{ kind: 'text', word: name.toLowerCase() }]);
  });
});

describe('WhatsApp message types', () => {
  it.each(PROTOTYPE_NAMES)('shows a "%s" message as one it cannot show', (type) => {
    const message = { from: '447700900123', id: 'wamid.1', timestamp: '1700000000', type };
    const payload = { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messages: [message] } }] }] };
    const read = parseWhatsAppWebhook(payload);
    expect(read.messages).toEqual([expect.objectContaining({ text: `[A ${type} message courtdesk cannot show — open WhatsApp Business to view it]`, unsupported: type })]);
  });
});

describe('Twilio form parameters', () => {
  it('keeps a parameter named __proto__ and signs it like any other', () => {
    const params = twilioParams(new URLSearchParams('__proto__=x&Body=hi&constructor=y'));
    expect(Object.keys(params).sort()).toEqual(['Body', '__proto__', 'constructor']);
    const url = 'https://example.org/v1/channels/sms/webhook';
    const expected = createHmac('sha1', 'token').update(`${url}Bodyhi__proto__xconstructory`).digest('base64');
    expect(twilioSignature('token', url, params)).toBe(expected);
  });
});

describe('courtdesk escalate --field', () => {
  async function escalateWith(fields: string[]): Promise<{ code: number; err: string }> {
    const port = await closedPort();
    let err = '';
    const io = { out: () => undefined, err: (text: string) => void (err += text), env: {} };
    const args = ['E1', '--court', 'x', '--template', 'y', '--broker', `http://127.0.0.1:${port}`, '--token', 't', '--timeout-ms', '2000'];
    const code = await escalate([...args, ...fields.flatMap((f) => ['--field', f])], io);
    return { code, err };
  }

  it('takes a field named toString once (and goes on to connect)', async () => {
    const once = await escalateWith(['toString=a']);
    expect(once.err).not.toContain('given twice');
    expect(once.code).toBe(3);
  });

  it('still refuses a field given twice', async () => {
    expect(await escalateWith(['constructor=a', 'constructor=b'])).toEqual({ code: 2, err: 'courtdesk escalate: --field constructor is given twice; give each field once.\n' });
  });
});
