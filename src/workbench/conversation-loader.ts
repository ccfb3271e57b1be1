// Loads the selected enquiry's whole conversation (snapshots carry summaries) once the selection
// has rested a moment, so scrolling through the queue does not ask for every one it passes.
import type { Enquiry } from '../domain/enquiry.js';
import type { BrokerClient } from '../client/types.js';

/** Waits this long on a selection before asking the broker for its conversation. */
const OPEN_DELAY_MS = 150;

export class ConversationLoader {
  private opening = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  /** The enquiry `timer` will load. */
  private timerFor: string | null = null;

  constructor(
    private readonly client: BrokerClient,
    private readonly selected: () => Enquiry | null,
    private readonly failed: (message: string) => void,
  ) {}

  load(id: string): void {
    if (this.opening.has(id)) return;
    this.opening.add(id);
    this.client.open(id).then(
      () => this.opening.delete(id),
      (err: unknown) => {
        this.opening.delete(id);
        this.failed(`Could not load the conversation: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  /** Call after the selection or the client changed. */
  schedule(): void {
    const e = this.selected();
    const id = e && !e.messagesLoaded && !this.opening.has(e.id) && this.client.connection.state === 'connected' ? e.id : null;
    // Already counting down for this enquiry: events arriving meanwhile must not restart the wait,
    // or a busy queue (several events a second) would keep the conversation from ever loading.
    if (id !== null && id === this.timerFor && this.timer) return;
    this.stop();
    this.timerFor = id;
    if (id === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerFor = null;
      if (this.selected()?.id === id) this.load(id);
    }, OPEN_DELAY_MS);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
