//! The deck as plain data: what the parser produces and everything else reads.
//! No terminal types here, so renderers, exporters and tests all share it.

use std::path::PathBuf;

use crate::diag::Diagnostic;

/// A whole presentation, parsed.
#[derive(Debug, Clone, Default)]
pub struct Deck {
    pub path: PathBuf,
    pub meta: Meta,
    pub theme: ThemeSpec,
    pub options: Options,
    pub slides: Vec<Slide>,
    /// Problems that do not stop the talk (unknown command, missing image, ...).
    pub warnings: Vec<Diagnostic>,
}

impl Deck {
    /// The checks of exercise `name` (every `+check:NAME` block, in order, joined).
    pub fn checks(&self, name: &str) -> Option<String> {
        let parts: Vec<&str> = self
            .snippets()
            .filter(|(_, c)| c.attrs.check.as_deref() == Some(name))
            .map(|(_, c)| c.source.as_str())
            .collect();
        (!parts.is_empty()).then(|| parts.join("\n"))
    }

    /// The reference solution of exercise `name`.
    pub fn solution(&self, name: &str) -> Option<&CodeBlock> {
        self.snippets().map(|(_, c)| c).find(|c| c.attrs.solution.as_deref() == Some(name))
    }

    /// Every snippet of the deck, in order, with the index of its slide.
    pub fn snippets(&self) -> impl Iterator<Item = (usize, &CodeBlock)> {
        self.slides.iter().enumerate().flat_map(|(i, slide)| {
            slide.elements.iter().filter_map(move |e| match &e.block {
                Block::Code(code) => Some((i, code)),
                _ => None,
            })
        })
    }
}

/// Front matter fields that make the intro slide and fill footer placeholders.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub title: Option<Text>,
    pub sub_title: Option<Text>,
    pub authors: Vec<String>,
    pub date: Option<String>,
    pub event: Option<String>,
    pub location: Option<String>,
}

/// The theme the deck asks for: a built-in name plus overrides.
#[derive(Debug, Clone, Default)]
pub struct ThemeSpec {
    /// Line of `theme:` in the deck (0: none), for warnings about it.
    pub line: usize,
    pub name: Option<String>,
    pub path: Option<PathBuf>,
    pub light: Option<String>,
    pub dark: Option<String>,
    pub overrides: Option<crate::theme::ThemeOverride>,
}

/// Deck-wide options from front matter (`options:`).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub implicit_slide_ends: bool,
    pub end_slide_shorthand: bool,
    pub h1_slide_titles: bool,
    pub incremental_lists: bool,
    pub list_item_newlines: Option<u16>,
    pub command_prefix: Option<String>,
    pub auto_render_languages: Vec<String>,
    pub image_attributes_prefix: Option<String>,
}

/// One slide. Elements carry the step at which they appear.
#[derive(Debug, Clone, Default)]
pub struct Slide {
    /// 1-based line of the slide's first source line.
    pub line: usize,
    pub file: PathBuf,
    pub title: Option<Text>,
    pub elements: Vec<Element>,
    pub notes: Vec<String>,
    pub hide_footer: bool,
    pub skip: bool,
    pub intro: bool,
    /// Number of steps: 1 + pauses + incremental items + highlight walk steps, without a
    /// trailing step that would reveal nothing.
    pub steps: usize,
}

impl Slide {
    pub fn title_text(&self) -> String {
        self.title.as_ref().map(Text::plain).unwrap_or_default()
    }
}

/// A block placed on a slide, visible from `step` on.
#[derive(Debug, Clone)]
pub struct Element {
    pub step: usize,
    pub line: usize,
    pub block: Block,
}

#[derive(Debug, Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "plain data built once per parse; a snippet is the common big block, and boxing it would only add noise"
)]
pub enum Block {
    /// A setext heading (or `#` with `h1_slide_titles`): styled as the slide's title.
    SlideTitle(Text),
    Heading {
        level: u8,
        text: Text,
    },
    Paragraph(Text),
    List(List),
    Table(Table),
    Quote(Vec<Block>),
    Alert {
        kind: AlertKind,
        title: Option<String>,
        blocks: Vec<Block>,
    },
    Code(CodeBlock),
    Rule,
    Image(ImageRef),
    Footnote {
        label: String,
        blocks: Vec<Block>,
    },
    NewLines(u16),
    JumpToMiddle,
    ColumnLayout(Vec<u16>),
    Column(usize),
    ResetLayout,
    Alignment(Alignment),
    SnippetOutput(String),
    /// Shown where something is missing (an image or file that was not found).
    Placeholder(String),
}

impl Block {
    /// Blocks that a comment command places (spacing, layout, alignment): they show no content
    /// of their own, so they neither start a slide nor count as something to reveal.
    pub fn is_command(&self) -> bool {
        matches!(
            self,
            Block::NewLines(_)
                | Block::JumpToMiddle
                | Block::ColumnLayout(_)
                | Block::Column(_)
                | Block::ResetLayout
                | Block::Alignment(_)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Alignment {
    #[default]
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
}

impl AlertKind {
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::Note => "Note",
            AlertKind::Tip => "Tip",
            AlertKind::Important => "Important",
            AlertKind::Warning => "Warning",
            AlertKind::Caution => "Caution",
        }
    }
}

/// A list, flattened as presenterm draws it: nested lists are items with a greater depth.
#[derive(Debug, Clone)]
pub struct List {
    /// Blank lines after each item (`list_item_newlines`).
    pub spacing: u16,
    pub items: Vec<ListItem>,
}

#[derive(Debug, Clone)]
pub struct ListItem {
    /// Nesting level. A top-level list written indented starts deeper (two spaces a level),
    /// as presenterm draws it.
    pub depth: u8,
    pub marker: ListMarker,
    pub task: Option<bool>,
    pub text: Text,
    /// Blocks under the item other than lists (code, quotes, more paragraphs).
    pub children: Vec<Block>,
    /// Step at which the item appears (incremental lists), relative to the slide.
    pub step: usize,
}

/// An item's marker, with the number as written (`1. 3. 3.` stays so, as in presenterm).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListMarker {
    Bullet,
    Period(u64),
    Paren(u64),
}

#[derive(Debug, Clone)]
pub struct Table {
    pub aligns: Vec<Alignment>,
    pub header: Vec<Text>,
    pub rows: Vec<Vec<Text>>,
    /// Step of each row (incremental tables), header first.
    pub row_steps: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct ImageRef {
    pub path: PathBuf,
    pub alt: String,
    pub width_percent: Option<u16>,
}

/// Inline content: a flat run list, which is what wrapping wants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Text(pub Vec<Run>);

impl Text {
    pub fn plain(&self) -> String {
        self.0.iter().map(|r| r.text.as_str()).collect()
    }
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|r| r.text.is_empty())
    }
    pub fn from_plain(s: &str) -> Self {
        Text(vec![Run { text: s.to_string(), style: RunStyle::default() }])
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// "\n" alone is a hard line break.
    pub text: String,
    pub style: RunStyle,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunStyle {
    pub bold: bool,
    pub italic: bool,
    pub strike: bool,
    pub code: bool,
    pub link: Option<String>,
    pub color: Option<String>,
    pub background: Option<String>,
    pub class: Option<String>,
}

/// A snippet's identity, stable across reloads: from its `+id`, else from its text (and its
/// rank among snippets with the same text). Outputs, pictures, edits and the notes' status
/// are keyed by it, so they stay with their snippet when slides move around it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct SnippetId(pub u64);

impl SnippetId {
    /// A number for the picture a snippet produced.
    pub fn image_key(self) -> u64 {
        self.0
    }
}

/// A fenced code block with the deck's attributes.
#[derive(Debug, Clone, Default)]
pub struct CodeBlock {
    /// Stable identity (set once the whole deck is parsed).
    pub id: SnippetId,
    pub language: String,
    /// The fenced text as written, hidden lines and their markers included: what an editor
    /// opens, and what `display` and `source` are made from.
    pub body: String,
    /// Its text is the deck's own (not a `file` block's), so an edit can be written back.
    pub editable: bool,
    /// What is drawn: hidden lines removed.
    pub display: String,
    /// What is run: hidden lines restored, their prefix stripped.
    pub source: String,
    /// For each displayed line, its 1-based line in the source file.
    pub line: usize,
    pub file: PathBuf,
    pub attrs: CodeAttrs,
    /// Highlight groups; stepped through when there is more than one.
    pub highlight: Vec<HighlightGroup>,
    /// Step at which the first highlight group shows.
    pub highlight_step: usize,
}

impl CodeBlock {
    /// The 1-based deck line of the first code line (after the fence).
    pub fn first_code_line(&self) -> usize {
        self.line + 1
    }

    /// Take `body` as the snippet's text: what is shown and what runs follow it.
    pub fn set_body(&mut self, body: String) {
        let (display, source) = crate::parse::snippet::split_hidden(&self.language, &body);
        self.display = display;
        self.source = source;
        self.body = body;
    }

    /// The body with its shown lines replaced by `shown` (an edit made on the slide): hidden
    /// lines keep their places, and lines added or removed go where the last shown line was.
    pub fn body_with_shown(&self, shown: &str) -> String {
        let prefix = crate::parse::snippet::hidden_prefix(&self.language);
        let lines: Vec<&str> = self.body.lines().collect();
        let is_hidden = |l: &str| crate::parse::snippet::is_hidden(l, prefix);
        let last_shown = lines.iter().rposition(|l| !is_hidden(l));
        let mut edited = shown.lines();
        let mut out = String::new();
        for (i, line) in lines.iter().enumerate() {
            if is_hidden(line) {
                out.push_str(line);
                out.push('\n');
            } else if Some(i) == last_shown {
                for rest in edited.by_ref() {
                    out.push_str(rest);
                    out.push('\n');
                }
            } else if let Some(next) = edited.next() {
                out.push_str(next);
                out.push('\n');
            }
        }
        if last_shown.is_none() {
            for rest in edited {
                out.push_str(rest);
                out.push('\n');
            }
        }
        out
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodeAttrs {
    pub line_numbers: bool,
    pub no_background: bool,
    pub exec: ExecMode,
    pub runner: Option<String>,
    pub id: Option<String>,
    pub image: bool,
    pub acquire_terminal: bool,
    pub pty: bool,
    pub validate: bool,
    pub expect_failure: bool,
    pub render: bool,
    pub timeout_secs: Option<u64>,
    /// Workshops: the starter of exercise NAME (the attendee edits it; its checks run after
    /// it builds), the checks of exercise NAME (`def test_*()`), its reference solution.
    pub exercise: Option<String>,
    pub check: Option<String>,
    pub solution: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExecMode {
    #[default]
    None,
    /// Runs on the run key.
    Exec,
    /// Runs when shown; output replaces the block.
    Replace,
    /// Runs when shown; block and output both visible.
    Auto,
}

impl ExecMode {
    pub fn runs(self) -> bool {
        self != ExecMode::None
    }
    pub fn on_display(self) -> bool {
        matches!(self, ExecMode::Replace | ExecMode::Auto)
    }
}

/// Lines highlighted together: `All`, or 1-based inclusive ranges.
#[derive(Debug, Clone, PartialEq)]
pub enum HighlightGroup {
    All,
    Lines(Vec<(usize, usize)>),
}

impl HighlightGroup {
    pub fn contains(&self, line: usize) -> bool {
        match self {
            HighlightGroup::All => true,
            HighlightGroup::Lines(ranges) => ranges.iter().any(|&(a, b)| (a..=b).contains(&line)),
        }
    }
}
