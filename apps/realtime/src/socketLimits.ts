// What one client may hold on a realtime node: open sockets per address block (an IPv4 address, an IPv6 /64) and
// per user. The node counts its own sockets (each node protects its own memory and file descriptors). A refused
// socket is accepted and closed at once with a close code and a reason the page can show: a refused HTTP upgrade
// reaches the browser only as code 1006, with no reason.

/** Close codes of the realtime node (4000-4999 are the application's; the last three digits follow HTTP). */
export const CloseCode = {
  /** the session expired or was revoked, or the socket never had one */
  notSignedIn: 4401,
  /** one message carried more requests than a socket may send at once */
  tooManyRequests: 4413,
  /** the client already holds as many sockets as it may */
  tooManySockets: 4429,
} as const;

export interface SocketCaps {
  perAddressBlock: number;
  perUser: number;
}

/** Why a socket is refused: its close code and reason (at most 123 bytes, the WebSocket limit). */
export interface SocketRefusal {
  code: number;
  reason: string;
  /** which cap refused it, for the logs */
  cap: "perAddressBlock" | "perUser";
  limit: number;
}

/** A socket's place among the open ones: held from the upgrade until the connection ends. */
export interface SocketPlace {
  /** Counts the socket for its user, or refuses it when the user has too many; a refused place is released. */
  claimUser(userId: string): SocketRefusal | null;
  /** Gives the place back (again: nothing happens). */
  release(): void;
}

class Tally {
  private readonly counts = new Map<string, number>();
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  add(key: string): void {
    this.counts.set(key, this.get(key) + 1);
  }
  remove(key: string): void {
    const count = this.get(key) - 1;
    if (count > 0) this.counts.set(key, count);
    else this.counts.delete(key);
  }
}

export class OpenSockets {
  private readonly byAddressBlock = new Tally();
  private readonly byUser = new Tally();

  constructor(private readonly caps: SocketCaps) {}

  /**
   * A place for one more socket from `block` (see addressBlock), taken before anything is awaited so that
   * concurrent upgrades cannot all pass the check; or the refusal.
   */
  admit(block: string): SocketPlace | SocketRefusal {
    const { perAddressBlock, perUser } = this.caps;
    if (this.byAddressBlock.get(block) >= perAddressBlock) {
      return {
        code: CloseCode.tooManySockets,
        reason: `Too many connections from your network (limit ${perAddressBlock}). Close some QualMeet tabs.`,
        cap: "perAddressBlock",
        limit: perAddressBlock,
      };
    }
    this.byAddressBlock.add(block);
    let userId: string | null = null;
    let released = false;
    const place: SocketPlace = {
      claimUser: (id) => {
        if (this.byUser.get(id) >= perUser) {
          place.release();
          return { code: CloseCode.tooManySockets, reason: `Too many connections for your account (limit ${perUser}). Close some QualMeet tabs.`, cap: "perUser", limit: perUser };
        }
        userId = id;
        this.byUser.add(id);
        return null;
      },
      release: () => {
        if (released) return;
        released = true;
        this.byAddressBlock.remove(block);
        if (userId !== null) this.byUser.remove(userId);
      },
    };
    return place;
  }
}

export const isRefusal = (answer: SocketPlace | SocketRefusal): answer is SocketRefusal => "reason" in answer;

/** The reason a socket without a session is closed with, after `timeoutMs`. */
export const notSignedInReason = (timeoutMs: number) => `Not signed in: a connection must sign in or join as a guest within ${timeoutMs / 1000} s.`;
