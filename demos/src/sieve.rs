//! Primes up to n, as the talk races them: the textbook sieve, and a fast one (odd numbers
//! only, one bit each, sieved segment by segment in the CPU cache, segments in parallel with
//! the GIL released).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rayon::prelude::*;

/// Limits that keep memory and time sane; beyond them: ValueError.
const NAIVE_MAX: usize = 1_000_000_000;
const PRIMES_MAX: u64 = 10_000_000_000;
const COUNT_MAX: u64 = 1_000_000_000_000;

/// Odd numbers covered by one segment: 2^18 bits = 32 KiB, an L1 cache.
const SEGMENT_ODDS: u64 = 1 << 18;

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

/// Sieve the odd numbers 2k+1 for k in [k0, k0 + len): bit set = composite.
fn sieve_segment(k0: u64, len: u64, primes: &[u64], bits: &mut Vec<u64>) {
    bits.clear();
    bits.resize(len.div_ceil(64) as usize, 0);
    let hi = 2 * (k0 + len) + 1; // exclusive bound on the numbers
    for &p in primes {
        let p2 = p * p;
        if p2 >= hi {
            break;
        }
        // First odd multiple of p in the segment, at least p*p.
        let lo = 2 * k0 + 1;
        let mut m = if p2 >= lo { p2 } else { lo.div_ceil(p) * p };
        if m % 2 == 0 {
            m += p;
        }
        let mut k = (m - 1) / 2 - k0;
        while k < len {
            bits[(k >> 6) as usize] |= 1 << (k & 63);
            k += p;
        }
    }
    // Bits past the end count as composite.
    let tail = len % 64;
    if tail != 0 {
        let last = bits.len() - 1;
        bits[last] |= !0u64 << tail;
    }
}

/// The segments covering the odd numbers 3..=n, as (first k, length).
fn segments(n: u64) -> Vec<(u64, u64)> {
    let total = if n >= 3 { (n - 1) / 2 } else { 0 }; // odds 3..=n are k = 1..=total
    (1..=total).step_by(SEGMENT_ODDS as usize).map(|k0| (k0, SEGMENT_ODDS.min(total + 1 - k0))).collect()
}

fn sieving_primes(n: u64) -> Vec<u64> {
    small_odd_primes((n as f64).sqrt() as u64 + 1)
}

/// The number of primes up to n, fast.
pub fn count_primes(n: u64) -> u64 {
    if n < 2 {
        return 0;
    }
    let primes = sieving_primes(n);
    let odd: u64 = segments(n)
        .into_par_iter()
        .map_init(Vec::new, |bits, (k0, len)| {
            sieve_segment(k0, len, &primes, bits);
            bits.iter().map(|w| u64::from((!w).count_ones())).sum::<u64>()
        })
        .sum();
    odd + 1 // the prime 2
}

/// The primes up to n, fast.
pub fn list_primes(n: u64) -> Vec<u64> {
    if n < 2 {
        return Vec::new();
    }
    let primes = sieving_primes(n);
    let parts: Vec<Vec<u64>> = segments(n)
        .into_par_iter()
        .map_init(Vec::new, |bits, (k0, len)| {
            sieve_segment(k0, len, &primes, bits);
            let mut out = Vec::new();
            for (w, word) in bits.iter().enumerate() {
                let mut free = !word;
                while free != 0 {
                    let k = k0 + (w as u64) * 64 + u64::from(free.trailing_zeros());
                    out.push(2 * k + 1);
                    free &= free - 1;
                }
            }
            out
        })
        .collect();
    let mut all = Vec::with_capacity(parts.iter().map(Vec::len).sum::<usize>() + 1);
    all.push(2);
    for part in parts {
        all.extend(part);
    }
    all
}

/// The primes up to and including n: the textbook `Vec<bool>` sieve.
#[pyfunction(name = "naive")]
fn naive_py(py: Python<'_>, n: usize) -> PyResult<Vec<usize>> {
    py.detach(|| naive(n))
}

/// How many primes there are up to and including n (segmented, bit-packed, parallel).
#[pyfunction]
fn count(py: Python<'_>, n: u64) -> PyResult<u64> {
    if n > COUNT_MAX {
        return Err(too_large("count", n, COUNT_MAX));
    }
    Ok(py.detach(|| count_primes(n)))
}

/// The primes up to and including n (segmented, bit-packed, parallel).
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
