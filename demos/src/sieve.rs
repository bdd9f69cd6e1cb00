//! Primes up to n, as the talk races them: the textbook sieve, and a fast one (odd numbers
//! only, sieved segment by segment in the L1 cache with the smallest primes stamped from a
//! repeating pattern, segments in parallel with the GIL released).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rayon::prelude::*;

/// Limits that keep memory and time sane; beyond them: ValueError.
const NAIVE_MAX: usize = 1_000_000_000;
const PRIMES_MAX: u64 = 10_000_000_000;
const COUNT_MAX: u64 = 1_000_000_000_000;

/// Odd numbers covered by one segment: a byte each, 32 KiB, an L1 cache.
const SEGMENT_ODDS: u64 = 1 << 15;

fn too_large(what: &str, n: u64, max: u64) -> PyErr {
    PyValueError::new_err(format!("{what}({n}) is too large: the limit is {max}"))
}

/// The textbook `Vec<bool>` sieve: the primes up to and including n.
pub fn naive(n: usize) -> PyResult<Vec<usize>> {
    if n > NAIVE_MAX {
        return Err(too_large("naive", n as u64, NAIVE_MAX as u64));
    }
    let mut is_prime = vec![true; n + 1];
    is_prime[0] = false;
    if n >= 1 {
        is_prime[1] = false;
    }
    let mut i = 2;
    while i * i <= n {
        if is_prime[i] {
            for j in (i * i..=n).step_by(i) {
                is_prime[j] = false;
            }
        }
        i += 1;
    }
    Ok((0..=n).filter(|&k| is_prime[k]).collect())
}

/// Odd primes up to `limit` (inclusive) by a plain sieve: the sieving primes.
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

/// Primes whose multiples are stamped from a repeating pattern instead of crossed off.
const PRESIEVED: [u64; 5] = [3, 5, 7, 11, 13];
/// The pattern's period in odd numbers: 3·5·7·11·13.
const PERIOD: usize = 15_015;

/// One byte per odd number 2k+1 over a period (and a segment more, so any segment is one
/// copy): 0 where one of `PRESIEVED` divides it, 1 elsewhere.
fn pattern() -> Vec<u8> {
    let len = PERIOD + SEGMENT_ODDS as usize;
    (0..len as u64).map(|k| u8::from(PRESIEVED.iter().all(|p| (2 * k + 1) % p != 0))).collect()
}

/// Sieves consecutive segments; keeps each prime's next odd multiple between them, so moving
/// on to the next segment costs no division.
struct Sieve<'a> {
    primes: &'a [u64],
    pattern: &'a [u8],
    /// For each sieving prime: the index k of its next odd multiple 2k+1 not yet crossed.
    next: Vec<u64>,
    bytes: Vec<u8>,
}

impl<'a> Sieve<'a> {
    /// Ready to sieve from odd index `k0` on.
    fn new(primes: &'a [u64], pattern: &'a [u8], k0: u64) -> Self {
        let next = primes
            .iter()
            .map(|&p| {
                let first = (p * p - 1) / 2; // p*p: the first multiple worth crossing off
                if first >= k0 {
                    first
                } else {
                    // Odd multiples of p sit at k ≡ (p-1)/2 (mod p).
                    let r = (p - 1) / 2;
                    k0 + (r + p - k0 % p) % p
                }
            })
            .collect();
        Self { primes, pattern, next, bytes: Vec::new() }
    }

    /// Sieve [k0, k0 + len): afterwards byte i is 1 when 2(k0+i)+1 is prime.
    fn segment(&mut self, k0: u64, len: u64) -> &[u8] {
        let off = (k0 % PERIOD as u64) as usize;
        self.bytes.clear();
        self.bytes.extend_from_slice(&self.pattern[off..off + len as usize]);
        let end = k0 + len;
        let bytes = self.bytes.as_mut_slice();
        let n = bytes.len();
        for (&p, next) in self.primes.iter().zip(self.next.iter_mut()) {
            if *next >= end {
                continue; // common for large primes: no multiple in this segment
            }
            let (mut i, step) = ((*next - k0) as usize, p as usize);
            while i < n {
                // SAFETY: i < n == bytes.len(), checked by the loop condition.
                unsafe { *bytes.get_unchecked_mut(i) = 0 };
                i += step;
            }
            *next = k0 + i as u64;
        }
        if k0 == 0 {
            // 1 is not prime; the pre-sieved primes themselves are.
            self.bytes[0] = 0;
            for p in PRESIEVED {
                let k = (p - 1) / 2;
                if k < len {
                    self.bytes[k as usize] = 1;
                }
            }
        }
        &self.bytes
    }
}

/// The odd numbers 1..=n as index ranges of consecutive segments: several chunks per thread
/// so the work stays balanced.
fn chunks(n: u64) -> Vec<(u64, u64)> {
    let total = n.saturating_sub(1) / 2 + 1;
    let per_chunk = SEGMENT_ODDS * 16;
    (0..total).step_by(per_chunk as usize).map(|k0| (k0, per_chunk.min(total - k0))).collect()
}

fn sieving_primes(n: u64) -> Vec<u64> {
    let root = (n as f64).sqrt() as u64 + 1;
    small_odd_primes(root).into_iter().filter(|p| !PRESIEVED.contains(p)).collect()
}

/// `visit(k0, bytes)` for every segment of the odd numbers up to n, chunks in parallel.
fn sieve_chunks<T: Send>(n: u64, visit: impl Fn(u64, &[u8]) -> T + Sync) -> Vec<T> {
    let primes = sieving_primes(n);
    let pattern = pattern();
    let total = n.saturating_sub(1) / 2 + 1;
    chunks(n)
        .into_par_iter()
        .flat_map_iter(|(c0, clen)| {
            let mut sieve = Sieve::new(&primes, &pattern, c0);
            let mut out = Vec::new();
            let mut k0 = c0;
            while k0 < c0 + clen {
                let len = SEGMENT_ODDS.min(c0 + clen - k0).min(total - k0);
                out.push(visit(k0, sieve.segment(k0, len)));
                k0 += len;
            }
            out
        })
        .collect()
}

/// The number of primes up to n, fast.
pub fn count_primes(n: u64) -> u64 {
    if n < 2 {
        return 0;
    }
    let odd: u64 = sieve_chunks(n, |_, bytes| bytes.iter().map(|&b| u64::from(b)).sum::<u64>()).into_iter().sum();
    odd + 1 // the prime 2
}

/// The primes up to n, fast.
pub fn list_primes(n: u64) -> Vec<u64> {
    if n < 2 {
        return Vec::new();
    }
    let parts = sieve_chunks(n, |k0, bytes| bytes.iter().enumerate().filter(|(_, b)| **b != 0).map(|(i, _)| 2 * (k0 + i as u64) + 1).collect::<Vec<u64>>());
    let mut all = vec![2];
    all.extend(parts.into_iter().flatten());
    all
}

/// The primes up to and including n: the textbook `Vec<bool>` sieve.
#[pyfunction(name = "naive")]
fn naive_py(py: Python<'_>, n: usize) -> PyResult<Vec<usize>> {
    py.detach(|| naive(n))
}

/// How many primes there are up to and including n (segmented, pre-sieved, parallel).
#[pyfunction]
fn count(py: Python<'_>, n: u64) -> PyResult<u64> {
    if n > COUNT_MAX {
        return Err(too_large("count", n, COUNT_MAX));
    }
    Ok(py.detach(|| count_primes(n)))
}

/// The primes up to and including n (segmented, pre-sieved, parallel).
#[pyfunction]
fn primes(py: Python<'_>, n: u64) -> PyResult<Vec<u64>> {
    if n > PRIMES_MAX {
        return Err(too_large("primes", n, PRIMES_MAX));
    }
    Ok(py.detach(|| list_primes(n)))
}

pub fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(naive_py, m)?)?;
    m.add_function(wrap_pyfunction!(count, m)?)?;
    m.add_function(wrap_pyfunction!(primes, m)?)?;
    Ok(())
}

#[pymodule]
fn sieve(m: &Bound<'_, PyModule>) -> PyResult<()> {
    init(m)
}

pub fn register() {
    pyo3::append_to_inittab!(sieve);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_counts() {
        for (n, want) in [(0, 0), (1, 0), (2, 1), (3, 2), (10, 4), (100, 25), (1_000_000, 78_498), (10_000_000, 664_579)] {
            assert_eq!(count_primes(n), want, "count({n})");
        }
        assert_eq!(naive(1_000_000).unwrap().len(), 78_498);
    }

    #[test]
    fn fast_matches_naive_everywhere_near_segment_edges() {
        for n in [0u64, 1, 2, 3, 4, 5, 97, 2 * SEGMENT_ODDS - 1, 2 * SEGMENT_ODDS, 2 * SEGMENT_ODDS + 1, 2 * SEGMENT_ODDS + 3, 1_234_567] {
            let slow: Vec<u64> = naive(n as usize).unwrap().into_iter().map(|p| p as u64).collect();
            assert_eq!(list_primes(n), slow, "primes({n})");
            assert_eq!(count_primes(n), slow.len() as u64, "count({n})");
        }
    }
}
