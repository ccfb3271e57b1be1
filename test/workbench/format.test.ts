import { describe, expect, it } from 'vitest';
import {
  connectionText,
  formatRow,
  formatWait,
  replyWindowWarning,
  segmentsWidth,
  slaLevel,
  statusLine,
} from '../../src/workbench/format.js';
import { DEFAULT_SETTINGS } from '../../src/workbench/settings.js';
import { makeTheme } from '../../src/workbench/theme.js';
import { textWidth } from '../../src/workbench/text.js';
import { enquiry, minutesAgo, NOW } from './fixtures.js';

const symbols = makeTheme({ theme: 'auto', ascii: false }, {}).symbols;
const text = (segments: { text: string }[]) => segments.map((s) => s.text).join('');

describe('formatWait', () => {
  it('shows m:ss under an hour', () => {
    expect(formatWait(0)).toBe('0:00');
    expect(formatWait(65)).toBe('1:05');
    expect(formatWait(3599)).toBe('59:59');
  });
  it('switches to 1h05 from an hour, so an hour never reads like a minute', () => {
    expect(formatWait(3600)).toBe('1h00');
    expect(formatWait(3600 + 5 * 60 + 59)).toBe('1h05');
    expect(formatWait(26 * 3600 + 15 * 60)).toBe('26h15');
  });
  it('never shows a negative wait', () => {
    expect(formatWait(-5)).toBe('0:00');
  });
});

describe('slaLevel', () => {
  const settings = { slaAmberMinutes: 20, slaRedMinutes: 60 };
  it('is ok below amber, amber from 20 minutes, red from 60', () => {
    expect(slaLevel(20 * 60 - 1, settings)).toBe('ok');
    expect(slaLevel(20 * 60, settings)).toBe('amber');
    expect(slaLevel(60 * 60 - 1, settings)).toBe('amber');
    expect(slaLevel(60 * 60, settings)).toBe('red');
  });
  it('follows the agent settings', () => {
    expect(slaLevel(6 * 60, { slaAmberMinutes: 5, slaRedMinutes: 10 })).toBe('amber');
  });
});

describe('formatRow', () => {
  const base = { me: 'alice', settings: DEFAULT_SETTINGS, symbols, selected: false };

  it('fills exactly the width at 80 columns with wait, channel, language, name and message', () => {
    const e = enquiry({ language: 'cy', caseNumbers: ['305JE126'] });
    const row = formatRow(e, { ...base, width: 80, waitSeconds: 125 });
    expect(segmentsWidth(row)).toBe(80);
    const line = text(row);
    expect(line).toContain(' 2:05 ');
    expect(line).toContain('WA ');
    expect(line).toContain('CY');
    expect(line).toContain('Jane Smith');
    expect(line).toContain('I need to know');
    expect(line).toContain('305JE126');
  });

  it('marks the SLA with a symbol as well as a colour role', () => {
    const amber = formatRow(enquiry(), { ...base, width: 80, waitSeconds: 25 * 60 });
    const red = formatRow(enquiry(), { ...base, width: 80, waitSeconds: 61 * 60 });
    expect(text(amber).slice(2, 4)).toBe('! ');
    expect(text(red).slice(2, 4)).toBe('!!');
    expect(red.some((s) => s.role === 'red')).toBe(true);
  });

  it('marks the selected row with a marker, not colour alone', () => {
    expect(text(formatRow(enquiry(), { ...base, width: 80, waitSeconds: 0, selected: true })).startsWith('› ')).toBe(true);
    expect(text(formatRow(enquiry(), { ...base, width: 80, waitSeconds: 0 })).startsWith('  ')).toBe(true);
  });

  it('shows who holds it and dims enquiries held by others', () => {
    const row = formatRow(enquiry({ claimedBy: 'bob' }), { ...base, width: 80, waitSeconds: 10 });
    expect(text(row)).toContain('@bob');
    expect(row.find((s) => s.text.includes('Jane'))?.role).toBe('dim');
    expect(text(formatRow(enquiry({ claimedBy: 'alice' }), { ...base, width: 80, waitSeconds: 10 }))).toContain('@you');
  });

  it('cuts long names and messages instead of overflowing, even with wide characters', () => {
    const e = enquiry({ name: '山田太郎'.repeat(10), preview: 'x'.repeat(300), caseNumbers: ['305JE126', 'A1QZ1234'] });
    for (const width of [40, 80, 132]) {
      expect(segmentsWidth(formatRow(e, { ...base, width, waitSeconds: 10 }))).toBeLessThanOrEqual(width);
    }
    expect(text(formatRow(e, { ...base, width: 80, waitSeconds: 10 }))).toContain('305JE126+1');
  });

  it('removes escape codes from customer text', () => {
    const row = formatRow(enquiry({ name: 'Eve\x1b[2J', preview: 'hi\x1b[31m there' }), { ...base, width: 80, waitSeconds: 1 });
    expect(text(row)).not.toContain('\x1b');
  });
});

describe('connectionText', () => {
  it('says connected, reconnecting in N seconds, or offline with the unsent count', () => {
    expect(connectionText({ state: 'connected' }, 0, NOW).text).toBe('connected');
    expect(connectionText({ state: 'reconnecting', retryAt: NOW + 2500, attempt: 2, lastError: 'x' }, 0, NOW).text).toBe('reconnecting in 3s');
    expect(connectionText({ state: 'reconnecting', retryAt: NOW + 1000, attempt: 2, lastError: 'x' }, 2, NOW).text).toBe(
      'offline with 2 unsent, reconnecting in 1s',
    );
    expect(connectionText({ state: 'refused', error: 'token revoked' }, 0, NOW).text).toBe('refused: token revoked');
  });

  it('says in red when the broker cannot save, and how many commands it is holding', () => {
    expect(connectionText({ state: 'connected', degraded: 'disk full' }, 0, NOW)).toEqual({ text: 'broker degraded: cannot save', role: 'red' });
    expect(connectionText({ state: 'connected', degraded: 'disk full' }, 2, NOW).text).toBe('broker degraded: cannot save, holding 2');
  });
});

describe('statusLine', () => {
  it('keeps the whole offline state at 80 columns, dropping the lesser queue figures first', () => {
    const info = {
      agentName: 'Rhiannon Davies',
      presence: 'available' as const,
      connection: { state: 'reconnecting' as const, retryAt: NOW + 12_000, attempt: 3, lastError: 'x' },
      unsent: 3,
      nowMs: NOW,
      waiting: 12,
      longestWaitSeconds: 65 * 60,
      pastRed: 3,
      settings: { slaRedMinutes: 20 },
      filter: '',
      width: 80,
      symbols: { separator: '│' } as never,
    };
    const line = text(statusLine(info));
    // Before, the line was cut at 80 columns through "reconnecting in 12s" or the waiting count.
    expect(line).toContain('offline with 3 unsent, reconnecting in 12s');
    expect(line).toContain('12 waiting');
    expect(line.length).toBeLessThanOrEqual(80);
    expect(text(statusLine({ ...info, width: 120 }))).toContain('Rhiannon Davies (available)');
    expect(text(statusLine({ ...info, width: 120 }))).toContain('3 past 20m');
  });

  describe('a long agent name (token names run to 64 characters)', () => {
    const LONG = 'bartholomew.featherstonehaugh-smythe.contact-centre.cardiff-team';
    const info = {
      agentName: LONG,
      presence: 'available' as const,
      connection: { state: 'connected' as const },
      unsent: 0,
      nowMs: NOW,
      waiting: 12,
      longestWaitSeconds: 65 * 60,
      pastRed: 3,
      settings: { slaRedMinutes: 20 },
      filter: '',
      width: 80,
      symbols,
    };

    it('is cut to 20 cells with an ellipsis before the longest wait and the presence word give way', () => {
      // Before, the name was drawn whole and the waiting count was cut off at the edge, with no mark.
      expect(text(statusLine(info))).toBe('bartholomew.feather… (available) │ connected │ 12 waiting, longest 1h05');
      expect(textWidth(text(statusLine(info)))).toBeLessThanOrEqual(80);
    });

    it('is cut further rather than the connection state, offline at 80 columns and on a narrow terminal', () => {
      const offline = { ...info, connection: { state: 'reconnecting' as const, retryAt: NOW + 12_000, attempt: 3, lastError: 'x' }, unsent: 3, filter: 'mine' };
      const line = text(statusLine(offline));
      expect(line).toBe('bartholomew.… │ offline with 3 unsent, reconnecting in 12s │ 12 waiting │ / mine');
      expect(textWidth(line)).toBe(80);
      const narrow = text(statusLine({ ...offline, width: 60 }));
      expect(narrow).toBe('barthol… │ offline with 3 unsent, reconnecting in 12s │ 12 w');
      expect(textWidth(narrow)).toBe(60);
    });

    it('is drawn whole when the line has room', () => {
      expect(text(statusLine({ ...info, width: 140 }))).toBe(`${LONG} (available) │ connected │ 12 waiting, longest 1h05, 3 past 20m`);
    });
  });

  it('shows agent, presence, connection, waiting count, longest wait and the number past red', () => {
    const line = text(
      statusLine({
        agentName: 'alice',
        presence: 'available',
        connection: { state: 'connected' },
        unsent: 0,
        nowMs: NOW,
        waiting: 12,
        longestWaitSeconds: 65 * 60,
        pastRed: 3,
        settings: { slaRedMinutes: 60 },
        filter: '',
        width: 100,
        symbols,
      }),
    );
    expect(line).toBe('alice (available) │ connected │ 12 waiting, longest 1h05, 3 past 60m');
  });
});

describe('replyWindowWarning', () => {
  it('warns only for WhatsApp after 24 hours since the customer last wrote', () => {
    expect(replyWindowWarning({ channel: 'whatsapp', lastCustomerAt: minutesAgo(60) }, NOW)).toBeNull();
    expect(replyWindowWarning({ channel: 'whatsapp', lastCustomerAt: minutesAgo(25 * 60) }, NOW)).toMatch(/closed 1h ago/);
    expect(replyWindowWarning({ channel: 'sms', lastCustomerAt: minutesAgo(25 * 60) }, NOW)).toBeNull();
  });

  it('warns when the customer\'s last message has no readable time, as the broker will refuse the reply', () => {
    expect(replyWindowWarning({ channel: 'whatsapp', lastCustomerAt: 'garbled' }, NOW)).toMatch(/unknown.*will be refused/);
    expect(replyWindowWarning({ channel: 'sms', lastCustomerAt: 'garbled' }, NOW)).toBeNull();
  });
});
