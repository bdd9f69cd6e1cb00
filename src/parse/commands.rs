//! Comment commands (`<!-- name -->`, `<!-- name: value -->`) as one serde enum, so the
//! parser and the list of known commands cannot drift apart.

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::model::Alignment;

#[derive(Debug, Clone, Deserialize, PartialEq, strum::VariantNames)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Command {
    Pause,
    EndSlide,
    #[serde(alias = "newline")]
    NewLine,
    #[serde(alias = "newlines")]
    NewLines(u16),
    JumpToMiddle,
    ColumnLayout(Vec<u16>),
    Column(usize),
    ResetLayout,
    Alignment(AlignmentValue),
    IncrementalLists(bool),
    IncrementalTables(bool),
    ListItemNewlines(u16),
    NoFooter,
    SkipSlide,
    FontSize(u8),
    Include(String),
    SpeakerNote(String),
    SnippetOutput(String),
    Comment(IgnoredAny),
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum AlignmentValue {
    Left,
    Center,
    Right,
}

impl From<AlignmentValue> for Alignment {
    fn from(v: AlignmentValue) -> Self {
        match v {
            AlignmentValue::Left => Alignment::Left,
            AlignmentValue::Center => Alignment::Center,
            AlignmentValue::Right => Alignment::Right,
        }
    }
}

/// Spellings serde accepts beside the variants' own names.
const ALIASES: [&str; 2] = ["newline", "newlines"];

/// Every command name the user may write, for "did you mean" hints: the enum's variants
/// (so the list cannot drift from what the parser accepts) and their aliases.
pub fn names() -> impl Iterator<Item = &'static str> {
    use strum::VariantNames;
    Command::VARIANTS.iter().copied().chain(ALIASES)
}

/// What a comment turned out to be.
#[derive(Debug, PartialEq)]
pub enum CommentKind {
    Command(Command),
    /// Free text, a multi-line note, an author comment: ignored.
    Ignored,
    /// Shaped like a command but not one deck knows.
    Unknown {
        name: String,
        hint: Option<String>,
    },
    /// A known command with a value that does not fit.
    Invalid {
        name: String,
        message: String,
    },
}

/// Classify the text of an HTML comment, `<!--` and `-->` included.
pub fn classify(html: &str, prefix: Option<&str>) -> CommentKind {
    let Some(body) = html.trim().strip_prefix("<!--").and_then(|s| s.strip_suffix("-->")) else {
        return CommentKind::Ignored;
    };
    let body = body.trim();
    if body.starts_with("//") {
        return CommentKind::Ignored;
    }
    let body = match prefix {
        Some(p) if !p.is_empty() => match body.strip_prefix(p) {
            Some(rest) => rest.trim_start(),
            None => return CommentKind::Ignored,
        },
        _ => body,
    };
    let first_line = body.lines().next().unwrap_or("");
    let name = first_line.split(':').next().unwrap_or("").trim();
    let shaped = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && (first_line.trim() == name || first_line.contains(':'));
    if !shaped {
        return CommentKind::Ignored;
    }
    if !names().any(|n| n == name) {
        // A multi-line comment is prose even if its first word looks like a command.
        if body.contains('\n') {
            return CommentKind::Ignored;
        }
        let hint = crate::diag::did_you_mean(name, names()).map(|n| format!("did you mean `{n}`?"));
        return CommentKind::Unknown { name: name.to_string(), hint };
    }
    match serde_saphyr::from_str::<Command>(body) {
        Ok(cmd) => CommentKind::Command(cmd),
        Err(err) => CommentKind::Invalid { name: name.to_string(), message: first_error_line(&err.to_string()) },
    }
}

fn first_error_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(s: &str) -> Command {
        match classify(s, None) {
            CommentKind::Command(c) => c,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn parses_every_shape() {
        assert_eq!(cmd("<!-- pause -->"), Command::Pause);
        assert_eq!(cmd("<!--end_slide-->"), Command::EndSlide);
        assert_eq!(cmd("<!-- newline -->"), Command::NewLine);
        assert_eq!(cmd("<!-- newlines: 3 -->"), Command::NewLines(3));
        assert_eq!(cmd("<!-- new_lines: 12 -->"), Command::NewLines(12));
        assert_eq!(cmd("<!-- column_layout: [3, 2] -->"), Command::ColumnLayout(vec![3, 2]));
        assert_eq!(cmd("<!-- column_layout: [1, 3]-->"), Command::ColumnLayout(vec![1, 3]));
        assert_eq!(cmd("<!-- column: 1 -->"), Command::Column(1));
        assert_eq!(cmd("<!-- alignment: center -->"), Command::Alignment(AlignmentValue::Center));
        assert_eq!(cmd("<!-- incremental_lists: true -->"), Command::IncrementalLists(true));
        assert_eq!(cmd("<!-- speaker_note: Hi there. -->"), Command::SpeakerNote("Hi there.".into()));
        assert_eq!(cmd("<!-- speaker_note: |\n  one\n  two\n-->"), Command::SpeakerNote("one\ntwo\n".into()));
        assert!(matches!(cmd("<!-- comment: anything [at] all -->"), Command::Comment(_)));
    }

    #[test]
    fn ignores_prose_and_author_comments() {
        assert_eq!(classify("<!-- TODO fix this later -->", None), CommentKind::Ignored);
        assert_eq!(classify("<!-- // private note -->", None), CommentKind::Ignored);
        assert_eq!(classify("<!--\nfoo: bar\nbaz\n-->", None), CommentKind::Ignored);
    }

    #[test]
    fn unknown_and_invalid_are_reported() {
        assert_eq!(
            classify("<!-- puase -->", None),
            CommentKind::Unknown { name: "puase".into(), hint: Some("did you mean `pause`?".into()) }
        );
        assert!(matches!(classify("<!-- column: left -->", None), CommentKind::Invalid { .. }));
    }

    #[test]
    fn honours_command_prefix() {
        assert_eq!(classify("<!-- cmd:pause -->", Some("cmd:")), CommentKind::Command(Command::Pause));
        assert_eq!(classify("<!-- pause -->", Some("cmd:")), CommentKind::Ignored);
    }
}
