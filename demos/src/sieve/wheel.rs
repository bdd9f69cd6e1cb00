//! The fast sieve. Only numbers coprime to 30 can be prime past 5, and there are 8 of them
//! in every 30 (1, 7, 11, 13, 17, 19, 23, 29), so one byte holds 30 numbers, a bit each.
//! Segments of 32 KiB (an L1 data cache, ~983,000 numbers) start as a copy of a pattern with
//! the multiples of 7..19 already gone; each larger prime then clears its multiples with an
//! unrolled loop of eight fixed offsets and masks per turn of the wheel, specialised per
//! residue class of the prime mod 30 so the masks are constants.

use std::sync::OnceLock;

use rayon::prelude::*;

/// The residues mod 30 that a byte's bits stand for, bit 0 first.
const WHEEL: [u64; 8] = [1, 7, 11, 13, 17, 19, 23, 29];

/// Bytes per segment: a 32 KiB L1 data cache.
const SEGMENT_BYTES: u64 = 32 * 1024;
/// Segments per unit of parallel work: enough chunks to balance threads, few enough that
/// finding each prime's first multiple per chunk costs nothing.
const SEGMENTS_PER_CHUNK: u64 = 8;

/// Primes whose multiples come from the pattern rather than being crossed off.
const PRESIEVED: [u64; 5] = [7, 11, 13, 17, 19];
/// The pattern's period in bytes: 7·11·13·17·19 (30 is coprime to all, so bytes repeat).
const PERIOD: u64 = 323_323;

/// The bit standing for residue r mod 30 (r coprime to 30).
const fn bit_of(r: u64) -> u32 {
    match r {
        1 => 0,
        7 => 1,
        11 => 2,
        13 => 3,
        17 => 4,
        19 => 5,
        23 => 6,
        _ => 7, // 29
    }
}

/// Where a sieving prime p stands: its next multiple to clear is p·(30c + WHEEL[j]), which
/// lies in byte `cycle + offset_j` with cycle = p·c.
#[derive(Clone, Copy)]
struct Prime {
    p: u64,
    cycle: u64,
    j: usize,
}

impl Prime {
    /// Ready to clear the multiples of p from byte `b0` on, starting no lower than p².
    fn at(p: u64, b0: u64) -> Self {
        let m = p.max((30 * b0).div_ceil(p));
        let (mut c, rem) = (m / 30, m % 30);
        let j = match WHEEL.iter().position(|&w| w >= rem) {
            Some(j) => j,
            None => {
                c += 1;
                0
            }
        };
        Self { p, cycle: p * c, j }
    }
}

/// Clears the multiples of one prime ≡ R (mod 30) within `seg`, which starts at byte `b0`.
/// Every prime of a residue class shares the masks, so they are constants here.
#[inline(always)]
fn clear_multiples<const R: u64>(seg: &mut [u8], b0: u64, prime: &mut Prime) {
    let p = prime.p as isize;
    let a = prime.p / 30;
    let off = |j: usize| (a * WHEEL[j] + R * WHEEL[j] / 30) as isize;
    let mask = |j: usize| !(1u8 << bit_of(R * WHEEL[j] % 30));
    let (o0, o1, o2, o3, o4, o5, o6, o7) = (off(0), off(1), off(2), off(3), off(4), off(5), off(6), off(7));
    let (m0, m1, m2, m3, m4, m5, m6, m7) = (mask(0), mask(1), mask(2), mask(3), mask(4), mask(5), mask(6), mask(7));
    let offsets = [o0, o1, o2, o3, o4, o5, o6, o7];
    let masks = [m0, m1, m2, m3, m4, m5, m6, m7];
    let len = seg.len() as isize;
    // Relative to the segment; may be below 0 while the turn's first multiples lie behind.
    let mut cycle = prime.cycle as isize - b0 as isize;
    let mut j = prime.j;
    let base = seg.as_mut_ptr();
    // Finish the turn the prime stopped in, then whole turns, then the start of the last.
    loop {
        while j < 8 {
            let i = cycle + offsets[j];
            if i >= len {
                prime.cycle = (cycle + b0 as isize) as u64;
                prime.j = j;
                return;
            }
            // SAFETY: 0 <= i (the prime's next multiple is never behind b0) and i < len.
            unsafe { *base.offset(i) &= masks[j] };
            j += 1;
        }
        cycle += p;
        j = 0;
        while cycle + o7 < len {
            // SAFETY: 0 <= cycle + o0 (cycle >= 0 after a whole turn) and every offset <= o7.
            unsafe {
                let at = base.offset(cycle);
                *at.offset(o0) &= m0;
                *at.offset(o1) &= m1;
                *at.offset(o2) &= m2;
                *at.offset(o3) &= m3;
                *at.offset(o4) &= m4;
                *at.offset(o5) &= m5;
                *at.offset(o6) &= m6;
                *at.offset(o7) &= m7;
            }
            cycle += p;
        }
    }
}

/// Sieving primes grouped by residue mod 30, so each group runs one specialised loop.
struct Primes([Vec<Prime>; 8]);

impl Primes {
    fn at(primes: &[u64], b0: u64) -> Self {
        let mut groups: [Vec<Prime>; 8] = Default::default();
        for &p in primes {
            groups[bit_of(p % 30) as usize].push(Prime::at(p, b0));
        }
        Self(groups)
    }

    fn clear(&mut self, seg: &mut [u8], b0: u64) {
        fn each<const R: u64>(group: &mut [Prime], seg: &mut [u8], b0: u64) {
            for prime in group {
                clear_multiples::<R>(seg, b0, prime);
            }
        }
        let [g1, g7, g11, g13, g17, g19, g23, g29] = &mut self.0;
        each::<1>(g1, seg, b0);
        each::<7>(g7, seg, b0);
        each::<11>(g11, seg, b0);
        each::<13>(g13, seg, b0);
        each::<17>(g17, seg, b0);
        each::<19>(g19, seg, b0);
        each::<23>(g23, seg, b0);
        each::<29>(g29, seg, b0);
    }
}

/// One period of bytes with the multiples of `PRESIEVED` cleared (the primes themselves
/// too), plus a segment more so that any segment is one copy.
fn pattern() -> &'static [u8] {
    static PATTERN: OnceLock<Vec<u8>> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let mut bytes = vec![0xff; (PERIOD + SEGMENT_BYTES) as usize];
        let primes: Vec<u64> = PRESIEVED.to_vec();
        let mut groups = Primes::at(&[], 0);
        for p in primes {
            // From p·1 on, not p²: every multiple goes.
            groups.0[bit_of(p % 30) as usize].push(Prime { p, cycle: 0, j: 0 });
        }
        groups.clear(&mut bytes, 0);
        bytes
    })
}

/// Odd primes up to `limit` by a plain sieve: the sieving primes.
fn small_odd_primes(limit: u64) -> Vec<u64> {
    let limit = limit as usize;
    let mut composite = vec![false; limit + 1];
    let mut out = Vec::new();
    for i in (3..=limit).step_by(2) {
        if !composite[i] {
            out.push(i as u64);
            for j in (i * i..=limit).step_by(2 * i) {
                composite[j] = true;
            }
        }
    }
    out
}

/// Calls `visit(b0, bytes)` for every segment of the numbers up to n, where bit j of byte i
/// is set when 30(b0 + i) + WHEEL[j] is a prime above 5 and at most n. Chunks of segments run
/// in parallel; the results come back in order.
fn segments<T: Send>(n: u64, visit: impl Fn(u64, &[u8]) -> T + Sync) -> Vec<T> {
    let total = n / 30 + 1;
    let primes: Vec<u64> = small_odd_primes(n.isqrt()).into_iter().filter(|&p| p > 19).collect();
    let pattern = pattern();
    let per_chunk = SEGMENT_BYTES * SEGMENTS_PER_CHUNK;
    let chunks: Vec<u64> = (0..total).step_by(per_chunk as usize).collect();
    chunks
        .into_par_iter()
        .flat_map_iter(|c0| {
            let mut groups = Primes::at(&primes, c0);
            let mut seg = Vec::with_capacity(SEGMENT_BYTES as usize);
            let mut out = Vec::new();
            let mut b0 = c0;
            while b0 < total.min(c0 + per_chunk) {
                let len = SEGMENT_BYTES.min(total - b0);
                let start = (b0 % PERIOD) as usize;
                seg.clear();
                seg.extend_from_slice(&pattern[start..start + len as usize]);
                groups.clear(&mut seg, b0);
                if b0 == 0 {
                    seg[0] &= !1; // 1 is not prime
                    seg[0] |= PRESIEVED.iter().fold(0, |bits, &p| bits | 1 << bit_of(p));
                }
                if b0 + len == total {
                    // The last byte: only residues up to n.
                    let last = 30 * (total - 1);
                    let keep = WHEEL.iter().enumerate().filter(|(_, w)| last + **w <= n).fold(0u8, |k, (j, _)| k | 1 << j);
                    seg[len as usize - 1] &= keep;
                }
                out.push(visit(b0, &seg));
                b0 += len;
            }
            out
        })
        .collect()
}

/// Primes 2, 3 and 5 up to n: the wheel leaves them out.
fn below_seven(n: u64) -> impl Iterator<Item = u64> {
    [2, 3, 5].into_iter().filter(move |&p| p <= n)
}

/// The number of primes up to and including n.
pub fn count_primes(n: u64) -> u64 {
    if n < 7 {
        return below_seven(n).count() as u64;
    }
    let counts = segments(n, |_, bytes| count_ones(bytes));
    below_seven(n).count() as u64 + counts.into_iter().sum::<u64>()
}

/// The primes up to and including n, in order.
pub fn list_primes(n: u64) -> Vec<u64> {
    let mut all: Vec<u64> = below_seven(n).collect();
    if n < 7 {
        return all;
    }
    let parts = segments(n, |b0, bytes| {
        let mut out = Vec::new();
        for (i, &byte) in bytes.iter().enumerate() {
            let mut bits = byte;
            while bits != 0 {
                out.push(30 * (b0 + i as u64) + WHEEL[bits.trailing_zeros() as usize]);
                bits &= bits - 1;
            }
        }
        out
    });
    all.extend(parts.into_iter().flatten());
    all
}

/// Set bits in `bytes`, with the CPU's popcount instruction where it has one.
fn count_ones(bytes: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU was just found to have popcnt.
        return unsafe { count_ones_popcnt(bytes) };
    }
    count_ones_portable(bytes)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn count_ones_popcnt(bytes: &[u8]) -> u64 {
    count_ones_portable(bytes)
}

#[inline(always)]
fn count_ones_portable(bytes: &[u8]) -> u64 {
    let words = bytes.chunks_exact(8);
    let tail: u64 = words.remainder().iter().map(|b| u64::from(b.count_ones())).sum();
    tail + words.map(|w| u64::from(u64::from_le_bytes(w.try_into().unwrap()).count_ones())).sum::<u64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn textbook(n: u64) -> Vec<u64> {
        super::super::naive(n as usize).unwrap().into_iter().map(|p| p as u64).collect()
    }

    #[test]
    fn known_counts() {
        for (n, want) in [(0, 0), (1, 0), (2, 1), (3, 2), (6, 3), (7, 4), (10, 4), (100, 25), (1_000_000, 78_498), (10_000_000, 664_579), (1_000_000_000, 50_847_534)] {
            assert_eq!(count_primes(n), want, "count({n})");
        }
    }

    #[test]
    fn matches_the_textbook_sieve_around_every_edge() {
        let seg = 30 * SEGMENT_BYTES;
        let chunk = seg * SEGMENTS_PER_CHUNK;
        let mut limits: Vec<u64> = (0..200).collect();
        for edge in [seg, chunk, 30 * PERIOD, 2 * chunk + seg] {
            limits.extend(edge - 31..edge + 31);
        }
        limits.push(12_345_678);
        let all = textbook(*limits.iter().max().unwrap());
        for n in limits {
            let want: Vec<u64> = all.iter().copied().take_while(|&p| p <= n).collect();
            assert_eq!(count_primes(n), want.len() as u64, "count({n})");
            assert_eq!(list_primes(n), want, "primes({n})");
        }
    }

    /// Single-thread timing at 1e9, for tuning: cargo test --release -p demos wheel -- --ignored --nocapture
    #[test]
    #[ignore]
    fn time_one_thread() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        for _ in 0..3 {
            let start = std::time::Instant::now();
            let c = pool.install(|| count_primes(1_000_000_000));
            eprintln!("count(1e9) = {c} in {:?}", start.elapsed());
        }
    }
}
