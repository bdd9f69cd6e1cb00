//! The fast sieve's driver. The numbers up to n, as wheel bytes (see `wheel`), are cut into
//! segments of 32 KiB, an L1 data cache (~983,000 numbers each), grouped into a few chunks
//! per thread. Each segment starts as a copy of a pattern with the multiples of 7..19 already
//! gone; primes up to a segment's length then clear theirs with the unrolled wheel loop, and
//! larger ones from buckets.

use std::sync::OnceLock;

use rayon::prelude::*;

use super::buckets::Buckets;
use super::wheel::{Primes, WHEEL, bit_of};

/// Bytes per segment: 256 KiB, in the L2 cache.
const SEGMENT_BYTES: u64 = 256 * 1024;
/// Small primes, with many multiples per segment, clear them a 32 KiB block (an L1 data
/// cache) at a time.
const BLOCK_BYTES: u64 = 32 * 1024;
/// The fewest segments in a unit of parallel work.
const MIN_CHUNK_SEGMENTS: u64 = 4;
/// Units of parallel work per thread, so that threads finish together.
const CHUNKS_PER_THREAD: u64 = 4;

/// Which sieving primes go which way.
#[derive(Clone, Copy)]
struct Split {
    /// From here on, primes clear their multiples over the whole segment, not block by block.
    medium_from: u64,
    /// From here on, primes are few per segment: they wait in buckets.
    large_from: u64,
}

const SPLIT: Split = Split { medium_from: BLOCK_BYTES / 8, large_from: SEGMENT_BYTES };

/// Primes whose multiples come from the pattern rather than being crossed off.
const PRESIEVED: [u64; 5] = [7, 11, 13, 17, 19];
/// The pattern's period in bytes: 7·11·13·17·19 (30 is coprime to all, so bytes repeat).
const PERIOD: u64 = 323_323;

/// One period of bytes with the multiples of `PRESIEVED` cleared (the primes themselves
/// too), plus a segment more so that any segment is one copy.
fn pattern() -> &'static [u8] {
    static PATTERN: OnceLock<Vec<u8>> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let mut bytes = vec![0xff; (PERIOD + SEGMENT_BYTES) as usize];
        Primes::from_one(&PRESIEVED).clear(&mut bytes, 0);
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
    segments_with(n, SPLIT, visit)
}

/// `segments`, with the sieving primes split as `split` says.
fn segments_with<T: Send>(n: u64, split: Split, visit: impl Fn(u64, &[u8]) -> T + Sync) -> Vec<T> {
    let total = n / 30 + 1;
    let primes: Vec<u64> = small_odd_primes(n.isqrt()).into_iter().filter(|&p| p > 19).collect();
    let (small, rest) = primes.split_at(primes.partition_point(|&p| p < split.medium_from));
    let (medium, large) = rest.split_at(rest.partition_point(|&p| p < split.large_from));
    let pattern = pattern();
    let threads = rayon::current_num_threads() as u64;
    let chunk_segments = total.div_ceil(SEGMENT_BYTES).div_ceil(threads * CHUNKS_PER_THREAD).max(MIN_CHUNK_SEGMENTS);
    let per_chunk = SEGMENT_BYTES * chunk_segments;
    let chunks: Vec<u64> = (0..total).step_by(per_chunk as usize).collect();
    chunks
        .into_par_iter()
        .flat_map_iter(|c0| {
            let end = total.min(c0 + per_chunk);
            let mut small = Primes::at(small, c0);
            let mut medium = Primes::at(medium, c0);
            let mut large = Buckets::new(large, c0, end, SEGMENT_BYTES);
            let mut seg = Vec::with_capacity(SEGMENT_BYTES as usize);
            let mut out = Vec::new();
            let mut b0 = c0;
            while b0 < end {
                let len = SEGMENT_BYTES.min(end - b0);
                let start = (b0 % PERIOD) as usize;
                seg.clear();
                seg.extend_from_slice(&pattern[start..start + len as usize]);
                for (i, block) in seg.chunks_mut(BLOCK_BYTES as usize).enumerate() {
                    small.clear(block, b0 + i as u64 * BLOCK_BYTES);
                }
                medium.clear(&mut seg, b0);
                large.clear(&mut seg, b0);
                if b0 == 0 {
                    seg[0] &= !1; // 1 is not prime
                    seg[0] |= PRESIEVED.iter().fold(0, |bits, &p| bits | 1 << bit_of(p));
                }
                if b0 + len == total {
                    // The last byte: only residues up to n.
                    let last = 30 * (total - 1);
                    let keep =
                        WHEEL.iter().enumerate().filter(|(_, w)| last + **w <= n).fold(0u8, |k, (j, _)| k | 1 << j);
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

#[allow(clippy::inline_always, reason = "the innermost loop: measured faster inlined")]
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
        for (n, want) in [
            (0, 0),
            (1, 0),
            (2, 1),
            (3, 2),
            (6, 3),
            (7, 4),
            (10, 4),
            (100, 25),
            (1_000_000, 78_498),
            (10_000_000, 664_579),
            (1_000_000_000, 50_847_534),
        ] {
            assert_eq!(count_primes(n), want, "count({n})");
        }
    }

    #[test]
    fn known_counts_with_primes_in_buckets() {
        // Sieving primes past 32768 start at n = 32768² ≈ 1.07e9.
        for (n, want) in [(2_000_000_000, 98_222_287), (1 << 32, 203_280_221)] {
            assert_eq!(count_primes(n), want, "count({n})");
        }
    }

    #[test]
    fn matches_the_textbook_sieve_around_every_edge() {
        let seg = 30 * SEGMENT_BYTES;
        let chunk = seg * MIN_CHUNK_SEGMENTS;
        let mut limits: Vec<u64> = (0..200).collect();
        for edge in [30 * BLOCK_BYTES, seg, 30 * PERIOD, chunk, chunk + seg] {
            limits.extend(edge - 31..edge + 31);
        }
        limits.push(12_345_678);
        let all = textbook(*limits.iter().max().unwrap());
        for (i, n) in limits.into_iter().enumerate() {
            let want: Vec<u64> = all.iter().copied().take_while(|&p| p <= n).collect();
            assert_eq!(count_primes(n), want.len() as u64, "count({n})");
            if n < 1000 || i % 8 == 0 {
                assert_eq!(list_primes(n), want, "primes({n})");
            }
        }
    }

    #[test]
    fn every_prime_in_buckets_matches_the_textbook_sieve() {
        let all = textbook(20_000_000);
        for n in [0, 1, 7, 23, 529, 530, 1000, 30 * SEGMENT_BYTES + 1, 20_000_000] {
            let want: Vec<u64> = all.iter().copied().take_while(|&p| p <= n).collect();
            let listed: Vec<u64> = segments_with(n, Split { medium_from: 0, large_from: 0 }, |b0, bytes| {
                let mut out = Vec::new();
                for (i, &byte) in bytes.iter().enumerate() {
                    (0..8).filter(|j| byte & 1 << j != 0).for_each(|j| out.push(30 * (b0 + i as u64) + WHEEL[j]));
                }
                out
            })
            .concat();
            assert_eq!(listed, want.into_iter().filter(|&p| p > 5).collect::<Vec<_>>(), "n = {n}");
        }
    }

    /// Timings for tuning, 1e9 on one thread and 1e11 on all: cargo test --release -p demos time_one -- --ignored --nocapture
    #[test]
    #[ignore = "a timing for tuning, not a check"]
    fn time_one_thread() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        for _ in 0..3 {
            let start = std::time::Instant::now();
            let c = pool.install(|| count_primes(1_000_000_000));
            eprintln!("count(1e9) = {c} in {:?}", start.elapsed());
        }
        let start = std::time::Instant::now();
        let c = count_primes(100_000_000_000);
        eprintln!("count(1e11) = {c} in {:?}, all threads", start.elapsed());
    }
}
