// The echo round trip of the gateway benchmark: the message a client sends, how its echo is recognised, and the
// tally of round trips and lost echoes. Pure: the load-clients child passes the clock readings in.

/** `{"t":<send time>,"i":<seq>}`: JSON, so the gateway passes it to the app as `data` and the app can echo it. */
export function buildEchoMessage(seq: number, sentAt: number): string {
  return `{"t":${sentAt},"i":${seq}}`;
}

/** The sequence number of an echoed message, or undefined for any other frame (a broadcast, a hello). */
export function readEchoSeq(frame: string): number | undefined {
  if (!frame.startsWith('{"t":')) return undefined;
  try {
    const seq = (JSON.parse(frame) as { i?: unknown }).i;
    return typeof seq === 'number' && Number.isInteger(seq) && seq >= 0 ? seq : undefined;
  } catch {
    return undefined;
  }
}

export interface EchoTally {
  sent: number;
  received: number;
  /** Sent, never echoed within the run and its grace period. */
  lost: number;
  /** Echoes of a sequence number already echoed, or never sent. */
  unexpected: number;
  /** Round trip of every echo, in ms, in arrival order. */
  roundTripsMs: number[];
}

/** Keeps the send time of every sequence number and turns echoes into round trips; each seq counts once. */
export class EchoRecorder {
  readonly #sentAt: Float64Array;
  readonly #roundTrips: number[] = [];
  #sent = 0;
  #unexpected = 0;

  constructor(capacity: number) {
    this.#sentAt = new Float64Array(capacity).fill(Number.NaN);
  }

  /** The seq to put in the next message, recorded as sent at `at`; undefined once `capacity` were sent. */
  next(at: number): number | undefined {
    if (this.#sent >= this.#sentAt.length) return undefined;
    this.#sentAt[this.#sent] = at;
    return this.#sent++;
  }

  echoed(seq: number, at: number): void {
    const sentAt = seq < this.#sent ? this.#sentAt[seq]! : Number.NaN;
    if (Number.isNaN(sentAt)) {
      this.#unexpected += 1;
      return;
    }
    this.#sentAt[seq] = Number.NaN;
    this.#roundTrips.push(at - sentAt);
  }

  /** Sent and not echoed yet. */
  get pending(): number {
    return this.#sent - this.#roundTrips.length;
  }

  tally(): EchoTally {
    const received = this.#roundTrips.length;
    return { sent: this.#sent, received, lost: this.#sent - received, unexpected: this.#unexpected, roundTripsMs: [...this.#roundTrips] };
  }
}
