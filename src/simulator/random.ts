/**
 * Seeded randomness for the simulator: prompt ids, sids and anything else that would otherwise
 * make two runs differ. mulberry32: small, fast, and good enough for identifiers.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private hex(chars: number): string {
    let out = '';
    for (let i = 0; i < chars; i++) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  /** A version-4 UUID string, like Python's `str(uuid.uuid4())`. */
  uuid4(): string {
    const h = this.hex(32).split('');
    h[12] = '4';
    h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  /** `uuid.uuid4().hex`: what ComfyUI makes a sid from when no clientId is given. */
  uuid4Hex(): string {
    return this.uuid4().replace(/-/g, '');
  }
}
