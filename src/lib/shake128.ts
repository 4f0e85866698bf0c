// SHAKE128 (FIPS 202), synchronous. dlt derives its row ids and the tags of
// shortened names from SHAKE128 digests; computing the same function here
// gives the same ids and names as a dlt pipeline fed with the same data.
// Web Crypto has no SHAKE and is asynchronous, hence this small version.
//
// The 1600-bit Keccak state is kept as 25 lanes of two 32-bit halves
// (low word at even index), which keeps every operation on plain numbers.

const RATE_BYTES = 168;
const ROUNDS = 24;

/** Rotation offsets of the rho step, by lane index x + 5y. */
const RHO = [
  0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18,
  2, 61, 56, 14,
];

/** Round constants of the iota step, computed once by Keccak's LFSR. */
const ROUND_CONSTANTS = makeRoundConstants();

function makeRoundConstants(): Int32Array {
  const out = new Int32Array(ROUNDS * 2);
  let lfsr = 1;
  for (let round = 0; round < ROUNDS; round++) {
    for (let j = 0; j < 7; j++) {
      const bit = lfsr & 1;
      lfsr = lfsr & 0x80 ? ((lfsr << 1) ^ 0x71) & 0xff : (lfsr << 1) & 0xff;
      if (bit === 0) continue;
      const position = (1 << j) - 1;
      if (position < 32)
        out[round * 2] = (out[round * 2] ?? 0) | (1 << position);
      else
        out[round * 2 + 1] = (out[round * 2 + 1] ?? 0) | (1 << (position - 32));
    }
  }
  return out;
}

/** For lane x + 5y, where rho and pi move it: 2 * (y + 5 * ((2x + 3y) % 5)). */
const PI_TARGET = Array.from({ length: 25 }, (_, lane) => {
  const x = lane % 5;
  const y = Math.floor(lane / 5);
  return 2 * (y + 5 * ((2 * x + 3 * y) % 5));
});

// scratch space, reused: one permutation runs at a time
const parity = new Int32Array(10);
const moved = new Int32Array(50);

function keccakF(state: Int32Array): void {
  const c = parity;
  const b = moved;
  for (let round = 0; round < ROUNDS; round++) {
    // theta: mix each column's parity into its neighbours
    for (let x = 0; x < 10; x += 2) {
      c[x] =
        (state[x] ?? 0) ^
        (state[x + 10] ?? 0) ^
        (state[x + 20] ?? 0) ^
        (state[x + 30] ?? 0) ^
        (state[x + 40] ?? 0);
      c[x + 1] =
        (state[x + 1] ?? 0) ^
        (state[x + 11] ?? 0) ^
        (state[x + 21] ?? 0) ^
        (state[x + 31] ?? 0) ^
        (state[x + 41] ?? 0);
    }
    for (let x = 0; x < 10; x += 2) {
      const next = (x + 2) % 10;
      const prev = (x + 8) % 10;
      const nextLo = c[next] ?? 0;
      const nextHi = c[next + 1] ?? 0;
      const dLo = (c[prev] ?? 0) ^ ((nextLo << 1) | (nextHi >>> 31));
      const dHi = (c[prev + 1] ?? 0) ^ ((nextHi << 1) | (nextLo >>> 31));
      for (let y = 0; y < 50; y += 10) {
        state[x + y] = (state[x + y] ?? 0) ^ dLo;
        state[x + y + 1] = (state[x + y + 1] ?? 0) ^ dHi;
      }
    }

    // rho and pi: rotate every lane and move it to its new place
    for (let lane = 0; lane < 25; lane++) {
      let lo = state[lane * 2] ?? 0;
      let hi = state[lane * 2 + 1] ?? 0;
      const n = RHO[lane] ?? 0;
      if (n >= 32) {
        const t = lo;
        lo = hi;
        hi = t;
      }
      const m = n & 31;
      const to = PI_TARGET[lane] ?? 0;
      if (m === 0) {
        b[to] = lo;
        b[to + 1] = hi;
      } else {
        b[to] = (lo << m) | (hi >>> (32 - m));
        b[to + 1] = (hi << m) | (lo >>> (32 - m));
      }
    }

    // chi: the only non-linear step, row by row
    for (let y = 0; y < 50; y += 10) {
      for (let x = 0; x < 10; x += 2) {
        const i = y + x;
        const i1 = y + ((x + 2) % 10);
        const i2 = y + ((x + 4) % 10);
        state[i] = (b[i] ?? 0) ^ (~(b[i1] ?? 0) & (b[i2] ?? 0));
        state[i + 1] = (b[i + 1] ?? 0) ^ (~(b[i1 + 1] ?? 0) & (b[i2 + 1] ?? 0));
      }
    }

    // iota
    state[0] = (state[0] ?? 0) ^ (ROUND_CONSTANTS[round * 2] ?? 0);
    state[1] = (state[1] ?? 0) ^ (ROUND_CONSTANTS[round * 2 + 1] ?? 0);
  }
}

function xorByte(state: Int32Array, offset: number, byte: number): void {
  const word = offset >>> 2;
  state[word] = (state[word] ?? 0) ^ (byte << ((offset & 3) * 8));
}

function readByte(state: Int32Array, offset: number): number {
  return ((state[offset >>> 2] ?? 0) >>> ((offset & 3) * 8)) & 0xff;
}

/** The first `length` bytes of SHAKE128 of `input`. */
export function shake128(input: Uint8Array, length: number): Uint8Array {
  const state = new Int32Array(50);

  // absorb whole blocks, then the padded last one
  let offset = 0;
  for (; offset + RATE_BYTES <= input.length; offset += RATE_BYTES) {
    for (let i = 0; i < RATE_BYTES; i++)
      xorByte(state, i, input[offset + i] ?? 0);
    keccakF(state);
  }
  const rest = input.length - offset;
  for (let i = 0; i < rest; i++) xorByte(state, i, input[offset + i] ?? 0);
  xorByte(state, rest, 0x1f);
  xorByte(state, RATE_BYTES - 1, 0x80);
  keccakF(state);

  // squeeze
  const out = new Uint8Array(length);
  for (let done = 0; done < length;) {
    const take = Math.min(RATE_BYTES, length - done);
    for (let i = 0; i < take; i++) out[done + i] = readByte(state, i);
    done += take;
    if (done < length) keccakF(state);
  }
  return out;
}

const encoder = new TextEncoder();

/** Standard base64 of bytes, with padding. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * dlt's `digest128`: base64 of the SHAKE128 digest of the UTF-8 text,
 * `length` bytes long (dlt's row ids use 10), padding stripped.
 */
export function digest128(text: string, length = 15): string {
  return bytesToBase64(shake128(encoder.encode(text), length)).replace(
    /=+$/,
    '',
  );
}
