// What a court user is told about their wait. The estimate (docs/protocol.md, "Honest waits"):
//   estimatedWaitSeconds = ceil(position ÷ agents available for the enquiry's language) × median handle time
// where "available" is connected and not away, and the handle time is how long recent enquiries
// took from being claimed to their first reply. With no agent available there is no honest figure,
// so it is null rather than a guess. Until enough replies have been seen, a handle time of five
// minutes is assumed.
import type { CourtdeskEvent } from './events.js';

export const DEFAULT_HANDLE_SECONDS = 300;

/** How many recent handle times the median is taken over. */
export const HANDLE_SAMPLES = 100;

/** Fewer samples than this and the default is used: two quick replies say little. */
const MIN_SAMPLES = 5;

export function estimateWaitSeconds(position: number, availableAgents: number, medianHandleSeconds: number): number | null {
  if (!(availableAgents >= 1) || !(position >= 1)) return null;
  // Agents take one each in turn: the n-th in line is answered in round ceil(n / agents).
  return Math.ceil(position / Math.floor(availableAgents)) * Math.round(medianHandleSeconds);
}

/** Recent handle times, learnt from events as they come (no scan of the state). */
export class RecentHandleTimes {
  private readonly claimedAt = new Map<string, number>();
  private readonly samples: number[] = [];

  observe(event: CourtdeskEvent, at: string): void {
    switch (event.type) {
      case 'enquiry.claimed':
      case 'enquiry.transferred':
        if (!this.claimedAt.has(event.enquiryId)) this.claimedAt.set(event.enquiryId, Date.parse(at));
        return;
      case 'enquiry.released':
      case 'enquiry.returned':
      case 'enquiry.closed':
        this.claimedAt.delete(event.enquiryId);
        return;
      case 'enquiry.replied': {
        const since = this.claimedAt.get(event.enquiryId);
        if (since === undefined) return;
        this.claimedAt.delete(event.enquiryId);
        const seconds = (Date.parse(at) - since) / 1000;
        if (!(seconds >= 0)) return;
        this.samples.push(seconds);
        if (this.samples.length > HANDLE_SAMPLES) this.samples.shift();
        return;
      }
      default:
        return;
    }
  }

  medianSeconds(): number {
    if (this.samples.length < MIN_SAMPLES) return DEFAULT_HANDLE_SECONDS;
    return median(this.samples);
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
