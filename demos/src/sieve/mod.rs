//! Primes up to n, as the talk races them: the textbook sieve, and a fast one (`wheel`: a
//! mod-30 wheel, bit-packed, segmented to the L1 cache, segments in parallel with the GIL
//! released).

mod buckets;
mod segmented;
mod wheel;

pub use segmented::{count_primes, list_primes};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Limits that keep memory and time sane; beyond them: ValueError.
const NAIVE_MAX: usize = 1_000_000_000;
/// (primes(1e9) is already a list of 50 million ints; count(1e11) takes seconds.)
const PRIMES_MAX: u64 = 1_000_000_000;
const COUNT_MAX: u64 = 100_000_000_000;

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

/// The primes up to and including n: the textbook `Vec<bool>` sieve.
#[pyfunction(name = "naive")]
fn naive_py(py: Python<'_>, n: usize) -> PyResult<Vec<usize>> {
    py.detach(|| naive(n))
}

/// Run `work` on `threads` threads (all cores when `None`), the GIL released.
fn on_threads<T: Send>(py: Python<'_>, threads: Option<usize>, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    match threads {
        None => Ok(py.detach(work)),
        Some(0) => Err(PyValueError::new_err("threads must be at least 1")),
        Some(t) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| PyValueError::new_err(format!("cannot start {t} threads: {e}")))?;
            Ok(py.detach(|| pool.install(work)))
        }
    }
}

/// How many primes there are up to and including n (segmented, pre-sieved, parallel on
/// every core, or on `threads`).
#[pyfunction]
#[pyo3(signature = (n, *, threads = None))]
fn count(py: Python<'_>, n: u64, threads: Option<usize>) -> PyResult<u64> {
    if n > COUNT_MAX {
        return Err(too_large("count", n, COUNT_MAX));
    }
    on_threads(py, threads, || count_primes(n))
}

/// The primes up to and including n (segmented, pre-sieved, parallel on every core, or on
/// `threads`).
#[pyfunction]
#[pyo3(signature = (n, *, threads = None))]
fn primes(py: Python<'_>, n: u64, threads: Option<usize>) -> PyResult<Vec<u64>> {
    if n > PRIMES_MAX {
        return Err(too_large("primes", n, PRIMES_MAX));
    }
    on_threads(py, threads, || list_primes(n))
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
    fn textbook_sieve() {
        assert_eq!(naive(0).unwrap(), Vec::<usize>::new());
        assert_eq!(naive(2).unwrap(), vec![2]);
        assert_eq!(naive(30).unwrap(), vec![2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
        assert_eq!(naive(1_000_000).unwrap().len(), 78_498);
    }
}
