//! A character counter with a reset policy: does a character appear more than N times?

use pyo3::prelude::*;

/// When the count starts over.
#[pyclass(module = "char_count", eq, eq_int)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reset {
    NoReset,
    Newlines,
    Spaces,
}

#[pyclass(module = "char_count")]
pub struct Counter {
    character: char,
    min_number: usize,
    reset: Reset,
}

impl Counter {
    pub fn new(character: char, min_number: usize, reset: Reset) -> Self {
        Self { character, min_number, reset }
    }

    fn is_reset(&self, c: char) -> bool {
        match self.reset {
            Reset::NoReset => false,
            Reset::Newlines => c == '\n',
            Reset::Spaces => c == ' ',
        }
    }
}

#[pymethods]
impl Counter {
    #[new]
    fn py_new(character: char, min_number: usize, reset: PyRef<'_, Reset>) -> Self {
        Self::new(character, min_number, *reset)
    }

    /// True as soon as the character has appeared more than `min_number` times since the
    /// last reset; stops reading there.
    fn has_count(&self, data: &str) -> bool {
        let mut count = 0;
        for c in data.chars() {
            if self.is_reset(c) {
                count = 0;
            } else if c == self.character {
                count += 1;
                if count > self.min_number {
                    return true;
                }
            }
        }
        false
    }

    fn __repr__(&self) -> String {
        format!("Counter(character={:?}, min_number={}, reset=Reset.{:?})", self.character, self.min_number, self.reset)
    }
}

pub fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Reset>()?;
    m.add_class::<Counter>()?;
    Ok(())
}

#[pymodule]
fn char_count(m: &Bound<'_, PyModule>) -> PyResult<()> {
    init(m)
}

pub fn register() {
    pyo3::append_to_inittab!(char_count);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_with_each_reset() {
        let text = "a,b,c\nd,e\nf,g,h,i";
        assert!(Counter::new(',', 3, Reset::NoReset).has_count(text));
        assert!(!Counter::new(',', 3, Reset::Newlines).has_count(text));
        assert!(Counter::new(',', 2, Reset::Newlines).has_count(text));
        assert!(!Counter::new('x', 0, Reset::Spaces).has_count(text));
    }
}
