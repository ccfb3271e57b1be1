import { describe, expect, it } from 'vitest';
import { WHATSAPP_REPLY_WINDOW_MS, whatsappReplyWindow } from '../../src/domain/whatsapp-window.js';

const LAST = '2026-03-02T09:30:00.000Z';
const last = Date.parse(LAST);

describe('whatsappReplyWindow', () => {
  it('is open until the last millisecond before 24 hours, and closed at exactly 24 hours', () => {
    expect(WHATSAPP_REPLY_WINDOW_MS).toBe(24 * 60 * 60 * 1000);
    expect(whatsappReplyWindow(LAST, last)).toEqual({ open: true, closesAt: last + WHATSAPP_REPLY_WINDOW_MS });
    expect(whatsappReplyWindow(LAST, last + WHATSAPP_REPLY_WINDOW_MS - 1).open).toBe(true);
    expect(whatsappReplyWindow(LAST, last + WHATSAPP_REPLY_WINDOW_MS)).toEqual({ open: false, closedAt: last + WHATSAPP_REPLY_WINDOW_MS });
    expect(whatsappReplyWindow(LAST, last + 7 * WHATSAPP_REPLY_WINDOW_MS).open).toBe(false);
  });

  it('counts an unreadable time as closed, with no closing time, so nothing is sent on a guess', () => {
    for (const unreadable of ['', 'yesterday', '2026-13-45T99:00:00Z']) {
      expect(whatsappReplyWindow(unreadable, last)).toEqual({ open: false, closedAt: null });
    }
  });
});
