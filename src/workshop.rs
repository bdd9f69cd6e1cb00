//! Workshops: an exercise's checks as its output reports them (`✓ test_x`, `✗ test_y: ...`,
//! `N/M checks passed`), and the exercises a deck holds, checked for their checks and
//! solutions.

use crate::diag::Diagnostic;
use crate::model::{CodeBlock, Deck};

/// How an exercise's checks went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    pub passed: usize,
    pub total: usize,
}

impl Checks {
    /// The summary line of a checks run, the last one in `output` (stdout and stderr mixed).
    pub fn read(output: &str) -> Option<Checks> {
        output.lines().rev().find_map(|line| {
            let (counts, rest) = line.trim().split_once(' ')?;
            (rest == "checks passed").then_some(())?;
            let (passed, total) = counts.split_once('/')?;
            Some(Checks { passed: passed.parse().ok()?, total: total.parse().ok()? })
        })
    }

    pub fn all_passed(self) -> bool {
        self.total > 0 && self.passed == self.total
    }
}

/// The exercise's starter with the solution's lines in place of its visible ones (its hidden
/// lines, the module around it, stay).
pub fn solved(exercise: &CodeBlock, solution: &CodeBlock) -> CodeBlock {
    let mut code = exercise.clone();
    code.set_body(exercise.body_with_shown(&solution.display));
    code
}

/// Exercises without checks or solution, and checks or solutions without their exercise.
pub fn problems(deck: &Deck) -> Vec<Diagnostic> {
    let exercises: Vec<&CodeBlock> = deck.snippets().map(|(_, c)| c).filter(|c| c.attrs.exercise.is_some()).collect();
    let named = |name: &str| exercises.iter().any(|c| c.attrs.exercise.as_deref() == Some(name));
    let mut out = Vec::new();
    for code in &exercises {
        let name = code.attrs.exercise.as_deref().unwrap_or_default();
        if deck.checks(name).is_none() {
            out.push(
                Diagnostic::warning(&code.file, code.line, format!("exercise `{name}` has no checks"))
                    .with_hint(format!("add a ```python +check:{name} block with `def test_...():` functions")),
            );
        }
        if code.attrs.runner.as_deref() != Some("pyo3") {
            out.push(
                Diagnostic::warning(&code.file, code.line, format!("exercise `{name}` is not a `+exec:pyo3` snippet"))
                    .with_hint("its checks call the module it builds: write ```rust +exec:pyo3 +exercise:NAME"),
            );
        }
    }
    for (_, code) in deck.snippets() {
        for (what, name) in [("check", &code.attrs.check), ("solution", &code.attrs.solution)] {
            if let Some(name) = name
                && !named(name)
            {
                out.push(
                    Diagnostic::warning(
                        &code.file,
                        code.line,
                        format!("{what} for `{name}`, but no exercise has that name"),
                    )
                    .with_hint(format!("the exercise is ```rust +exec:pyo3 +exercise:{name}")),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_line_is_read_from_the_output() {
        let out = "imported ws: f\n✓ test_a\n✗ test_b: AssertionError: 2 != 3\n1/2 checks passed\n";
        assert_eq!(Checks::read(out), Some(Checks { passed: 1, total: 2 }));
        assert!(!Checks::read(out).unwrap().all_passed());
        assert_eq!(Checks::read("no checks here\n"), None);
    }

    #[test]
    fn stray_checks_and_exercises_without_checks_are_reported() {
        let deck = crate::parse::parse_str(
            "```rust +exec:pyo3 +exercise:a\nfn f() {}\n```\n\n```python +check:b\ndef test_x(): pass\n```\n",
            std::path::Path::new("w.md"),
        )
        .unwrap();
        let found: Vec<String> = problems(&deck).iter().map(|d| format!("{}: {}", d.line, d.message)).collect();
        assert_eq!(found, vec!["1: exercise `a` has no checks", "5: check for `b`, but no exercise has that name"]);
    }
}
