import { describe, expect, it } from 'vitest';
import type { DeliveryState } from '../../../src/domain/events.js';
import { laterDeliveryState } from '../../../src/broker/channels/delivery-state.js';
import type { ReceiptState } from '../../../src/broker/channels/types.js';

const fold = (receipts: ReceiptState[], start: DeliveryState = 'pending'): DeliveryState =>
  receipts.reduce<DeliveryState>(laterDeliveryState, start);

describe('laterDeliveryState', () => {
  it('moves forward through sent, delivered, read', () => {
    expect(fold(['sent'])).toBe('sent');
    expect(fold(['sent', 'delivered'])).toBe('delivered');
    expect(fold(['sent', 'delivered', 'read'])).toBe('read');
  });

  it('ends where the furthest receipt says, whatever order and repetition they arrive in', () => {
    expect(fold(['read', 'sent', 'delivered'])).toBe('read');
    expect(fold(['delivered', 'delivered', 'sent', 'sent'])).toBe('delivered');
    expect(fold(['sent', 'read', 'read', 'delivered', 'sent'])).toBe('read');
  });

  it('lets a failure override pending and sent, but not delivered or read', () => {
    expect(fold(['failed'])).toBe('failed');
    expect(fold(['sent', 'failed'])).toBe('failed');
    expect(fold(['failed', 'sent'])).toBe('failed');
    expect(fold(['read', 'failed'])).toBe('read');
    expect(fold(['delivered', 'failed'])).toBe('delivered');
    // A delivered receipt proves the phone had it, so it corrects an earlier failure.
    expect(fold(['failed', 'delivered'])).toBe('delivered');
  });

  it('never goes backwards from any state', () => {
    const order: DeliveryState[] = ['pending', 'sent', 'failed', 'delivered', 'read'];
    for (const current of order) {
      for (const incoming of ['sent', 'delivered', 'read', 'failed'] as const) {
        const next = laterDeliveryState(current, incoming);
        expect(order.indexOf(next)).toBeGreaterThanOrEqual(order.indexOf(current));
        expect([current, incoming]).toContain(next);
      }
    }
  });
});
