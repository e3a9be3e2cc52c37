import { randomBytes, randomInt } from "node:crypto";

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

/** A uniformly random base62 string (used for device tokens and inbox tokens). */
export function randomBase62(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += BASE62[randomInt(62)];
  return out;
}
