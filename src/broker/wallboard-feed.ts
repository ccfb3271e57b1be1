// Serves the wallboard (docs/wallboard.md): the domain's Wallboard kept up to date from every
// commit, answered to queries, and pushed to the sockets watching it. Pushes are gathered: many
// events in a busy second make one frame, encoded once for every watcher.
import type { AgentFigures, CentreFigures, CentreThresholds, KnownAgent } from '../domain/centre-figures.js';
import { can } from '../domain/permissions.js';
import { Wallboard } from '../domain/wallboard.js';
import { londonDate } from '../domain/working-days.js';
import type { BrokerCore } from './core.js';
import type { TokenRecord } from './tokens.js';

/** At most this often a watcher gets a frame; waits shown tick on the client's own clock. */
export const WALLBOARD_PUSH_MS = 500;

export interface WallboardWatcher {
  send(frame: Buffer): void;
}

export interface WallboardFeedOptions {
  thresholds: CentreThresholds;
  /** The deployment's cap on enquiries held at once; a token's own overrides it. */
  heldCap: number;
  /** Every token, revoked ones included (they are left out). */
  tokens: () => readonly TokenRecord[];
  /** Names of agents with a live socket on this node. */
  connected: () => ReadonlySet<string>;
}

export class WallboardFeed {
  /** Made on first use: a broker nobody supervises pays nothing per event. */
  private board: Wallboard | null = null;
  private readonly watchers = new Set<WallboardWatcher>();
  private dirty = false;
  private day = londonDate(new Date());
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly core: BrokerCore,
    private readonly options: WallboardFeedOptions,
  ) {
    core.onCommit((entries) => {
      if (!this.board) return;
      this.board.apply(entries);
      this.dirty = true;
    });
  }

  figures(now = new Date(), since?: string): CentreFigures {
    return this.wallboard().figures(this.known(), now, since);
  }

  /** Agents online on this node, least loaded first: whom an enquiry can be transferred to. */
  onlineAgents(): AgentFigures[] {
    const online = this.wallboard().agents(this.known()).filter((a) => a.presence !== 'offline');
    return online.sort((a, b) => a.held / Math.max(1, a.heldCap) - b.held / Math.max(1, b.heldCap) || a.name.localeCompare(b.name));
  }

  watch(watcher: WallboardWatcher): CentreFigures {
    this.watchers.add(watcher);
    this.timer ??= setInterval(() => this.push(), WALLBOARD_PUSH_MS);
    this.timer.unref();
    return this.figures();
  }

  unwatch(watcher: WallboardWatcher): void {
    this.watchers.delete(watcher);
    if (this.watchers.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
  }

  /** An agent connected or disconnected: the agents block changed though no event did. */
  connectionsChanged(): void {
    this.dirty = true;
  }

  close(): void {
    this.watchers.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private push(): void {
    const now = new Date();
    const day = londonDate(now);
    // Midnight starts a new day's figures, and chases fall due, with no event to say so.
    if (day !== this.day) {
      this.day = day;
      this.dirty = true;
    }
    if (!this.dirty || this.watchers.size === 0) return;
    this.dirty = false;
    const frame = Buffer.from(JSON.stringify({ type: 'wallboard', figures: this.figures(now) }));
    for (const w of this.watchers) w.send(frame);
  }

  private wallboard(): Wallboard {
    this.board ??= new Wallboard(this.core.state, this.options.thresholds, new Date());
    return this.board;
  }

  private known(): KnownAgent[] {
    const connected = this.options.connected();
    return this.options.tokens()
      .filter((t) => !t.revokedAt && can(t.role, 'claim'))
      .map((t) => ({ name: t.name, languages: t.languages, connected: connected.has(t.name), heldCap: t.maxHeld ?? this.options.heldCap }));
  }
}
