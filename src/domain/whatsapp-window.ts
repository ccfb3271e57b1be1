// WhatsApp's customer-service window: a business may send free text only within 24 hours of the
// customer's last message. The broker refuses a reply with it, the WhatsApp sender checks it again
// before a reply that waited goes out, and the workbench warns the agent with it: one rule for all three.

/** How long after the customer's last message WhatsApp accepts free text from a business. */
export const WHATSAPP_REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Times in epoch milliseconds. `closedAt` is null when the customer's last message time is unreadable. */
export type WhatsAppReplyWindow = { open: true; closesAt: number } | { open: false; closedAt: number | null };

/**
 * The window at `nowMs` for a customer who last wrote at `lastCustomerAt` (ISO 8601). It closes at
 * exactly 24 hours.
 *
 * An unreadable time counts as closed. Open would be a guess: free text sent outside the window is
 * refused by WhatsApp only later, as a failed receipt (131047) the agent may never see, while the
 * customer waits for an answer that never comes. Closed tells the agent now, so they reach the
 * customer another way; and the customer's next message brings a readable time that reopens it.
 */
export function whatsappReplyWindow(lastCustomerAt: string, nowMs: number): WhatsAppReplyWindow {
  const last = Date.parse(lastCustomerAt);
  if (Number.isNaN(last)) return { open: false, closedAt: null };
  const closesAt = last + WHATSAPP_REPLY_WINDOW_MS;
  return nowMs < closesAt ? { open: true, closesAt } : { open: false, closedAt: closesAt };
}
