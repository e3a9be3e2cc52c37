import { randomBytes } from "node:crypto";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
let lastTime = 0;
let lastRandom: number[] = [];

/** A monotonic ULID: 48-bit millisecond time + 80 random bits, Crockford base32, sortable as text. */
export function ulid(now: number = Date.now()): string {
  let rand: number[];
  if (now <= lastTime) {
    // same millisecond (or clock went back): increment the previous random part so ids stay ordered
    now = lastTime;
    rand = lastRandom.slice();
    for (let i = rand.length - 1; i >= 0; i--) {
      if (rand[i] < 31) {
        rand[i]++;
        break;
      }
      rand[i] = 0;
    }
  } else {
    const bytes = randomBytes(16);
    rand = Array.from({ length: 16 }, (_, i) => bytes[i] & 31);
  }
  lastTime = now;
  lastRandom = rand;
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time + rand.map((n) => CROCKFORD[n]).join("");
}

/** Event id: "evt_" + ULID (time-ordered, unique). */
export function newEventId(now?: number): string {
  return `evt_${ulid(now)}`;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * A uniformly random base62 string (device tokens, API keys, inbox tokens): random bytes below 248 (= 4 × 62) taken
 * modulo 62, the rest dropped, so no character is more likely than another. One randomBytes call per string instead
 * of one randomInt per character (bulk creates issue a thousand tokens at once).
 */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length + 8)) {
      if (b < 248) out += BASE62[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}
