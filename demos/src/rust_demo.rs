//! The PyO3 workshop module: functions, errors as exceptions, and classes.

use std::collections::{BTreeMap, HashSet, VecDeque};

use pyo3::exceptions::{PyIndexError, PyOverflowError, PyValueError};
use pyo3::prelude::*;

/// The n-th Fibonacci number (fibonacci(0) == 0).
#[pyfunction]
pub fn fibonacci(n: u64) -> PyResult<u64> {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        let next = a
            .checked_add(b)
            .ok_or_else(|| PyOverflowError::new_err(format!("fibonacci({n}) does not fit in 64 bits")))?;
        (a, b) = (b, next);
    }
    Ok(a)
}

/// Always panics with `message`: a Rust panic reaches Python as `PanicException`, which
/// derives from `BaseException` (so `except Exception` does not catch it).
#[pyfunction]
pub fn panics(message: &str) {
    panic!("{message}");
}

/// The sum of a list of numbers.
#[pyfunction]
pub fn sum_list(numbers: Vec<f64>) -> f64 {
    numbers.iter().sum()
}

/// The numbers greater than zero, in order.
#[pyfunction]
pub fn filter_positive(numbers: Vec<f64>) -> Vec<f64> {
    numbers.into_iter().filter(|n| *n > 0.0).collect()
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .filter(|w| !w.is_empty())
}

/// How often each word appears, lower-cased, punctuation stripped, in alphabetical order.
#[pyfunction]
pub fn word_frequencies(text: &str) -> BTreeMap<String, usize> {
    // A BTreeMap, not a HashMap: the dict comes out in the same (sorted) order every run.
    let mut counts = BTreeMap::new();
    for w in words(text) {
        *counts.entry(w).or_insert(0) += 1;
    }
    counts
}

/// The number of distinct words, ignoring case and punctuation.
#[pyfunction]
pub fn count_unique_words(text: &str) -> usize {
    words(text).collect::<HashSet<_>>().len()
}

/// Whether the text reads the same backwards, ignoring case, spaces and punctuation.
#[pyfunction]
pub fn is_palindrome(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    letters.iter().eq(letters.iter().rev())
}

/// a / b; ValueError("Division by zero") when b is 0.
#[pyfunction]
pub fn safe_divide(a: f64, b: f64) -> PyResult<f64> {
    if b == 0.0 {
        return Err(PyValueError::new_err("Division by zero"));
    }
    Ok(a / b)
}

/// Parse an integer; ValueError naming the input when it is not one.
#[pyfunction]
pub fn safe_parse_int(text: &str) -> PyResult<i64> {
    text.trim().parse().map_err(|_| PyValueError::new_err(format!("Cannot parse '{text}' as an integer")))
}

/// n!; ValueError above 20 (21! does not fit in 64 bits).
#[pyfunction]
pub fn factorial(n: u64) -> PyResult<u64> {
    if n > 20 {
        return Err(PyValueError::new_err(format!("factorial({n}) is too large: the limit is 20")));
    }
    Ok((1..=n).product())
}

/// The primes up to and including n.
#[pyfunction]
pub fn sieve_of_eratosthenes(n: usize) -> PyResult<Vec<usize>> {
    crate::sieve::naive(n)
}

/// The average of the last `window_size` values added.
#[pyclass(module = "rust_demo")]
pub struct MovingAverage {
    window: VecDeque<f64>,
    size: usize,
    sum: f64,
}

#[pymethods]
impl MovingAverage {
    #[new]
    fn new(window_size: usize) -> PyResult<Self> {
        if window_size == 0 {
            return Err(PyValueError::new_err("window_size must be at least 1"));
        }
        Ok(Self { window: VecDeque::with_capacity(window_size), size: window_size, sum: 0.0 })
    }

    /// Add a value; returns the new average.
    fn add(&mut self, value: f64) -> f64 {
        self.window.push_back(value);
        self.sum += value;
        if self.window.len() > self.size {
            self.sum -= self.window.pop_front().unwrap_or(0.0);
        }
        self.average()
    }

    /// The average of the values in the window (0.0 when empty).
    fn average(&self) -> f64 {
        if self.window.is_empty() { 0.0 } else { self.sum / self.window.len() as f64 }
    }

    /// How many values are in the window.
    fn count(&self) -> usize {
        self.window.len()
    }

    fn clear(&mut self) {
        self.window.clear();
        self.sum = 0.0;
    }

    fn __repr__(&self) -> String {
        format!("MovingAverage(window_size={}, count={}, average={})", self.size, self.window.len(), self.average())
    }
}

/// A fixed-size buffer that forgets its oldest item when full.
#[pyclass(module = "rust_demo")]
pub struct RingBuffer {
    items: VecDeque<Py<PyAny>>,
    capacity: usize,
}

#[pymethods]
impl RingBuffer {
    #[new]
    fn new(capacity: usize) -> PyResult<Self> {
        if capacity == 0 {
            return Err(PyValueError::new_err("capacity must be at least 1"));
        }
        Ok(Self { items: VecDeque::with_capacity(capacity), capacity })
    }

    /// Add an item, dropping the oldest when full.
    fn push(&mut self, item: Py<PyAny>) {
        if self.items.len() == self.capacity {
            self.items.pop_front();
        }
        self.items.push_back(item);
    }

    /// The item at `index` (0 is the oldest).
    fn get(&self, py: Python<'_>, index: usize) -> PyResult<Py<PyAny>> {
        self.items
            .get(index)
            .map(|i| i.clone_ref(py))
            .ok_or_else(|| PyIndexError::new_err(format!("index {index} out of range")))
    }

    /// The items, oldest first.
    fn to_list(&self, py: Python<'_>) -> Vec<Py<PyAny>> {
        self.items.iter().map(|i| i.clone_ref(py)).collect()
    }

    fn is_full(&self) -> bool {
        self.items.len() == self.capacity
    }

    #[getter]
    fn capacity(&self) -> usize {
        self.capacity
    }

    fn __len__(&self) -> usize {
        self.items.len()
    }

    fn __repr__(&self) -> String {
        format!("RingBuffer(capacity={}, len={})", self.capacity, self.items.len())
    }
}

/// A counter that goes up and down.
#[pyclass(module = "rust_demo")]
#[derive(Default)]
pub struct Counter {
    value: i64,
}

#[pymethods]
impl Counter {
    #[new]
    #[pyo3(signature = (start = 0))]
    fn new(start: i64) -> Self {
        Self { value: start }
    }

    fn increment(&mut self) {
        self.value += 1;
    }

    fn decrement(&mut self) {
        self.value -= 1;
    }

    fn reset(&mut self) {
        self.value = 0;
    }

    #[getter]
    fn value(&self) -> i64 {
        self.value
    }

    fn __repr__(&self) -> String {
        format!("Counter(value={})", self.value)
    }
}

// The module as the talk shows it (slides/talk.md reads these lines from this file).
// talk-pymodule-start
#[pymodule]
pub mod rust_demo {
    #[pymodule_export]
    use super::{count_unique_words, factorial, fibonacci, filter_positive};

    #[pymodule_export]
    use super::{is_palindrome, panics, safe_divide, safe_parse_int};

    #[pymodule_export]
    use super::{sieve_of_eratosthenes, sum_list, word_frequencies};

    #[pymodule_export]
    use super::{Counter, MovingAverage, RingBuffer};
}
// talk-pymodule-end

pub fn register() {
    pyo3::append_to_inittab!(rust_demo);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_from_the_talks() {
        assert_eq!(fibonacci(40).unwrap(), 102_334_155);
        assert_eq!(factorial(10).unwrap(), 3_628_800);
        assert!(is_palindrome("A man, a plan, a canal: Panama"));
        assert!(!is_palindrome("PyO3"));
        assert_eq!(count_unique_words("The cat and THE hat."), 4);
        assert_eq!(word_frequencies("the cat, the hat")["the"], 2);
        assert!((sum_list(vec![1.5, 2.5, 3.0]) - 7.0).abs() < f64::EPSILON);
        assert_eq!(filter_positive(vec![-1.0, 2.0, 0.0, 3.0]), vec![2.0, 3.0]);
    }

    #[test]
    fn moving_average_sequence() {
        let mut ma = MovingAverage::new(3).unwrap();
        let got: Vec<f64> = [10.0, 20.0, 30.0, 40.0].iter().map(|v| ma.add(*v)).collect();
        assert_eq!(got, vec![10.0, 15.0, 20.0, 30.0]);
    }
}
