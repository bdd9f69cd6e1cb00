//! Diagnostics users read: `file:line: severity: message`, the source line, a hint.
//! One type feeds `deck check`, the on-screen warnings and the exit message.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based; 0 when the problem is about the file as a whole.
    pub line: usize,
    pub message: String,
    /// The offending source line, when known.
    pub source_line: Option<String>,
    /// The part of `source_line` to underline (char offset, char count); else all of it.
    pub underline: Option<(u32, u32)>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, line, message)
    }

    pub fn warning(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file, line, message)
    }

    fn new(severity: Severity, file: &Path, line: usize, message: impl Into<String>) -> Self {
        Self {
            severity,
            file: file.to_path_buf(),
            line,
            message: message.into(),
            source_line: None,
            underline: None,
            hint: None,
        }
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Attach the offending line, looked up in the file's text.
    #[must_use]
    pub fn with_source(mut self, text: &str) -> Self {
        if self.line > 0 {
            self.source_line = text.lines().nth(self.line - 1).map(str::to_string);
        }
        self
    }

    /// Underline `part` of the source line (the first occurrence at or after char `from`),
    /// rather than the whole line: on a line with several images, the one at fault.
    pub fn underline_part(&mut self, part: &str, from: usize) {
        let Some(src) = &self.source_line else { return };
        let start_byte = src.char_indices().nth(from).map_or(src.len(), |(b, _)| b);
        if let Some(at) = src[start_byte..].find(part) {
            let offset = src[..start_byte + at].chars().count();
            self.underline = Some((offset as u32, part.chars().count().max(1) as u32));
        }
    }

    /// `file:line` as editors and terminals link it.
    pub fn location(&self) -> String {
        let file = display_path(&self.file);
        if self.line == 0 { file } else { format!("{file}:{}", self.line) }
    }

    /// The first line only: for status bars and `deck check` listings.
    pub fn headline(&self) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        format!("{}: {kind}: {}", self.location(), self.message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", printable(&self.headline(), usize::MAX))?;
        if let Some(src) = &self.source_line {
            let gutter = self.line.to_string();
            let src = printable(src, MAX_SOURCE_CHARS);
            write!(f, "\n {gutter} | {src}")?;
            let (indent, width) = self.underline.map_or_else(
                || (src.chars().count() - src.trim_start().chars().count(), src.trim().chars().count().max(1)),
                |(at, len)| (at as usize, len as usize),
            );
            write!(f, "\n {} | {}{}", " ".repeat(gutter.len()), " ".repeat(indent), "^".repeat(width))?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {}", printable(hint, usize::MAX))?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// How much of an offending line a diagnostic quotes.
const MAX_SOURCE_CHARS: usize = 160;

/// Text from a deck or theme as it may go to a terminal: control characters (an escape
/// sequence would act on the reader's terminal) shown escaped, and at most `max` characters.
fn printable(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

static BASE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Paths in messages are shown relative to this folder (where deck was started): deck
/// works with absolute paths, since snippets may change the working directory.
pub fn set_base_dir(dir: PathBuf) {
    let _ = BASE.set(dir);
}

pub fn display_path(path: &Path) -> String {
    BASE.get().and_then(|b| path.strip_prefix(b).ok()).unwrap_or(path).display().to_string()
}

/// Maps byte offsets in a source text to 1-based line numbers.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Self { starts }
    }

    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_maps_offsets() {
        let idx = LineIndex::new("ab\ncd\n\nef");
        assert_eq!(idx.line_of(0), 1);
        assert_eq!(idx.line_of(3), 2);
        assert_eq!(idx.line_of(6), 3);
        assert_eq!(idx.line_of(7), 4);
    }

    #[test]
    fn suggests_close_names_only() {
        let cands = ["pause", "end_slide", "column_layout"];
        assert_eq!(did_you_mean("puase", cands), Some("pause"));
        assert_eq!(did_you_mean("endslide", cands), Some("end_slide"));
        assert_eq!(did_you_mean("banana", cands), None);
    }

    #[test]
    fn display_has_location_source_caret_and_hint() {
        let d = Diagnostic::error(Path::new("t.md"), 2, "unknown command `puase`")
            .with_source("a\n  <!-- puase -->\n")
            .with_hint("did you mean `pause`?");
        let s = d.to_string();
        assert!(s.starts_with("t.md:2: error: unknown command `puase`"), "{s}");
        assert!(s.contains(" 2 |   <!-- puase -->"), "{s}");
        assert!(s.contains("^^^^^^^^^^^^^^"), "{s}");
        assert!(s.ends_with("= hint: did you mean `pause`?"), "{s}");
    }

    #[test]
    fn escapes_and_long_lines_are_quoted_safely() {
        let line = format!("\x1b]0;pwned\x07{}", "x".repeat(500));
        let d = Diagnostic::error(Path::new("t.md"), 1, "bad \x1b[2J thing").with_source(&line);
        let s = d.to_string();
        assert!(!s.contains('\x1b') && !s.contains('\x07'), "{s:?}");
        assert!(s.contains("\\u{1b}[2J"), "{s}");
        assert!(s.lines().all(|l| l.chars().count() < 200), "{s}");
    }
}
