// How fast agents may send commands: a token bucket per socket, and one per token shared by all
// its sockets, so neither one runaway client nor one token's many sockets can flood the journal.
// Every frame counts, queries and malformed frames included: each costs the broker an answer.
import type { ErrorBody } from '../protocol/frames.js';
import { RateLimiter } from './rate-limit.js';

export interface RateLimit {
  /** Sustained commands per second; 0 turns the limit off. */
  ratePerSecond: number;
  burst: number;
}

export interface CommandLimits {
  perSocket: RateLimit;
  perToken: RateLimit;
}

/** Takes one command's worth from a socket's allowance: null when it may go ahead, else the refusal. */
export type TakeCommand = () => ErrorBody | null;

export class CommandLimiter {
  private readonly perToken: RateLimiter | null;

  constructor(private readonly limits: CommandLimits) {
    this.perToken = bucketsFor(limits.perToken);
  }

  forSocket(tokenHash: string): TakeCommand {
    const perSocket = bucketsFor(this.limits.perSocket);
    return () => {
      const socketWait = perSocket?.take('') ?? 0;
      if (socketWait > 0) return rateLimited(socketWait, this.limits.perSocket, 'one socket');
      const tokenWait = this.perToken?.take(tokenHash) ?? 0;
      if (tokenWait > 0) return rateLimited(tokenWait, this.limits.perToken, 'one token across all its sockets');
      return null;
    };
  }
}

function bucketsFor(limit: RateLimit): RateLimiter | null {
  return limit.ratePerSecond > 0 ? new RateLimiter(limit.ratePerSecond, limit.burst) : null;
}

function rateLimited(waitSeconds: number, limit: RateLimit, from: string): ErrorBody {
  return {
    code: 'RATE_LIMITED',
    message:
      `Too many commands: the broker takes ${limit.ratePerSecond} a second from ${from} (bursts of ${limit.burst}). ` +
      `This one was not carried out; wait ${waitSeconds} s and send it again.`,
    retryAfterMs: waitSeconds * 1000,
  };
}
