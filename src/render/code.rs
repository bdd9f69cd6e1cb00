//! Code blocks: syntect highlighting (loaded lazily, cached per snippet), line numbers,
//! highlight groups that dim the other lines, a padded background box.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use syntect::highlighting::{FontStyle, HighlightIterator, HighlightState, ThemeSet};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};

use super::text::{truncate, width};
use crate::model::{CodeBlock, HighlightGroup};
use crate::theme::{Theme, blend, contrast};

type Highlighted = Arc<Vec<Vec<(Style, String)>>>;

/// The syntax themes the built-in themes name, embedded (their licences are beside them).
const SYNTAX_THEMES: &[(&str, &[u8])] = &[
    ("catppuccin-latte", include_bytes!("../../assets/syntax-themes/catppuccin-latte.tmTheme")),
    ("catppuccin-frappe", include_bytes!("../../assets/syntax-themes/catppuccin-frappe.tmTheme")),
    ("catppuccin-macchiato", include_bytes!("../../assets/syntax-themes/catppuccin-macchiato.tmTheme")),
    ("catppuccin-mocha", include_bytes!("../../assets/syntax-themes/catppuccin-mocha.tmTheme")),
    ("gruvbox-dark", include_bytes!("../../assets/syntax-themes/gruvbox-dark.tmTheme")),
    ("tokyonight-storm", include_bytes!("../../assets/syntax-themes/tokyonight-storm.tmTheme")),
];

/// Syntax and theme sets load on first use, so nothing slow stands before the first frame.
#[derive(Default)]
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    themes: OnceLock<ThemeSet>,
    cache: Mutex<HashMap<u64, Highlighted>>,
    /// Lines run through syntect, for tests of the incremental highlighting.
    lines_highlighted: std::sync::atomic::AtomicUsize,
}

thread_local! {
    /// The last text this thread highlighted (by which `Highlighter`), line by line with the
    /// states between lines: its next version (a keystroke in an edited snippet) is highlighted
    /// from its first changed line until the states agree again. Per thread: syntect's parser
    /// states cannot cross threads.
    static LAST: std::cell::RefCell<Option<(usize, Incremental)>> = const { std::cell::RefCell::new(None) };
}

struct Incremental {
    language: String,
    theme: String,
    lines: Vec<LineState>,
}

/// One highlighted line and the parser and highlighter states around it.
#[derive(Clone)]
struct LineState {
    text: String,
    before: (ParseState, HighlightState),
    after: (ParseState, HighlightState),
    spans: Vec<(Style, String)>,
}

impl Highlighter {
    /// One per process: the cache outlives slides and reloads.
    pub fn global() -> &'static Highlighter {
        static GLOBAL: OnceLock<Highlighter> = OnceLock::new();
        GLOBAL.get_or_init(Highlighter::default)
    }

    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(SyntaxSet::load_defaults_newlines)
    }

    /// syntect's bundled themes plus the built-in themes' own (assets/syntax-themes).
    fn themes(&self) -> &ThemeSet {
        self.themes.get_or_init(|| {
            let mut set = ThemeSet::load_defaults();
            for (name, bytes) in SYNTAX_THEMES {
                if let Ok(theme) = ThemeSet::load_from_reader(&mut std::io::Cursor::new(bytes)) {
                    set.themes.insert((*name).to_string(), theme);
                }
            }
            set
        })
    }

    /// Lines of (style, text); foreground colours only, the box (`card`) supplies the
    /// background, and every colour is made to read on it.
    pub fn highlight(&self, code: &str, language: &str, theme_name: &str, card: Color) -> Highlighted {
        let mut h = DefaultHasher::new();
        (code, language, theme_name, card).hash(&mut h);
        let key = h.finish();
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let mut lines = self.highlight_uncached(code, language, theme_name);
        for (style, _) in lines.iter_mut().flatten() {
            style.fg = style.fg.map(|fg| readable_on(fg, card));
        }
        let result = Arc::new(lines);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, result.clone());
        }
        result
    }

    fn highlight_uncached(&self, code: &str, language: &str, theme_name: &str) -> Vec<Vec<(Style, String)>> {
        let plain = || code.lines().map(|l| vec![(Style::new(), expand_tabs(l))]).collect();
        let ss = self.syntaxes();
        let Some(syntax) = ss.find_syntax_by_token(alias(language)) else { return plain() };
        let themes = self.themes();
        let Some(theme) = themes.themes.get(theme_name).or_else(|| themes.themes.get("base16-eighties.dark")) else {
            return plain();
        };
        let highlighter = syntect::highlighting::Highlighter::new(theme);
        let lines: Vec<&str> = syntect::util::LinesWithEndings::from(code).collect();
        let me = std::ptr::from_ref(self) as usize;
        let old = LAST
            .with_borrow_mut(Option::take)
            .filter(|(owner, o)| *owner == me && o.language == language && o.theme == theme_name)
            .map_or_else(Vec::new, |(_, o)| o.lines);
        // What did not change: the lines before the first change, and those after the last.
        let prefix = lines.iter().zip(&old).take_while(|(new, old)| **new == old.text).count();
        let suffix = lines.iter().rev().zip(old.iter().rev()).take_while(|(new, old)| **new == old.text).count();
        let suffix = suffix.min(lines.len() - prefix).min(old.len() - prefix);
        let mut out: Vec<LineState> = old[..prefix].to_vec();
        let mut state = out.last().map_or_else(
            || (ParseState::new(syntax), HighlightState::new(&highlighter, ScopeStack::new())),
            |l| l.after.clone(),
        );
        for (i, line) in lines.iter().enumerate().skip(prefix) {
            // In the unchanged end, once the states agree, the old results hold.
            if i >= lines.len() - suffix {
                let j = i + old.len() - lines.len();
                if old[j].before == state {
                    out.extend(old[j..].iter().cloned());
                    break;
                }
            }
            let before = state.clone();
            let Ok(ops) = state.0.parse_line(line, ss) else { return plain() };
            self.lines_highlighted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let spans = HighlightIterator::new(&mut state.1, &ops, line, &highlighter)
                .map(|(s, text)| {
                    let c = s.foreground;
                    let mut style = Style::new().fg(Color::Rgb(c.r, c.g, c.b));
                    if s.font_style.contains(FontStyle::BOLD) {
                        style = style.add_modifier(Modifier::BOLD);
                    }
                    if s.font_style.contains(FontStyle::ITALIC) {
                        style = style.add_modifier(Modifier::ITALIC);
                    }
                    (style, expand_tabs(text.trim_end_matches(['\n', '\r'])))
                })
                .collect();
            out.push(LineState { text: (*line).to_string(), before, after: state.clone(), spans });
        }
        let result = out.iter().map(|l| l.spans.clone()).collect();
        let kept = Incremental { language: language.to_string(), theme: theme_name.to_string(), lines: out };
        LAST.with_borrow_mut(|last| *last = Some((me, kept)));
        result
    }
}

/// Readable text needs 4.5:1 (WCAG AA); a projector needs it more than a screen does.
const MIN_CONTRAST: f64 = 4.5;

/// `fg`, or the nearest shade of it toward white (on a dark card) or black (on a light one)
/// that reaches `MIN_CONTRAST` against `card`. Syntax themes are drawn for screens, and some
/// of their colours (comments, most of catppuccin-latte) fade on a projector.
pub fn readable_on(fg: Color, card: Color) -> Color {
    let Some(ratio) = contrast(fg, card) else { return fg };
    if ratio >= MIN_CONTRAST {
        return fg;
    }
    let dark_card = contrast(card, Color::Rgb(0, 0, 0)).is_some_and(|c| c < 7.0);
    let target = if dark_card { Color::Rgb(255, 255, 255) } else { Color::Rgb(0, 0, 0) };
    (1..=20)
        .map(|i| blend(fg, target, i as f32 / 20.0))
        .find(|c| contrast(*c, card).is_some_and(|r| r >= MIN_CONTRAST))
        .unwrap_or(target)
}

fn alias(language: &str) -> &str {
    match language {
        "" => "txt",
        "shell" | "zsh" | "fish" => "bash",
        "c++" => "cpp",
        "javascript" | "node" => "js",
        "typescript" => "ts",
        "golang" => "go",
        "text" | "plain" | "console" => "txt",
        other => other,
    }
}

fn expand_tabs(s: &str) -> String {
    s.replace('\t', "    ")
}

/// How a code block is drawn beyond its text.
#[derive(Debug, Clone, Default)]
pub struct CodeView {
    /// At least this wide (its output's width, so the two line up).
    pub min_width: usize,
    /// At most this wide (the room there is).
    pub max_width: usize,
    /// Being edited: the cursor (line, character), drawn as a reversed cell.
    pub cursor: Option<(usize, usize)>,
    /// Only these lines (an edited snippet taller than its room scrolls with the cursor).
    pub window: Option<std::ops::Range<usize>>,
    /// A word in the box's top right corner: `editing`, `edited`, `▸` for the focus.
    pub label: Option<&'static str>,
}

/// The lines of a code block at `step`, each padded to the block's width.
pub fn code_lines(
    hl: &Highlighter,
    theme: &Theme,
    code: &CodeBlock,
    step: usize,
    view: &CodeView,
) -> Vec<Line<'static>> {
    let (min_width, max_width) = (view.min_width, view.max_width);
    let background = theme.code_background && !code.attrs.no_background;
    let bg = if background { theme.code_bg } else { theme.base.bg.unwrap_or(Color::Reset) };
    let highlighted = hl.highlight(&code.display, &code.language, &theme.syntax_theme, bg);
    let group = current_group(code, step);
    let count = highlighted.len().max(1);
    let gutter = if code.attrs.line_numbers { count.to_string().len() + 1 } else { 0 };
    let pad = if background { 2 } else { 0 };
    let longest = highlighted.iter().map(|l| l.iter().map(|(_, t)| width(t)).sum::<usize>()).max().unwrap_or(0);
    let inner = (longest + gutter + 2 * pad).max(if background { 40 } else { 0 }).max(min_width);
    let box_width = inner.min(max_width).max(1);
    let dim = theme.dim;
    let mut lines = Vec::with_capacity(highlighted.len() + 2);
    let blank = || Line::from(Span::styled(" ".repeat(box_width), Style::new().bg(bg)));
    if background {
        lines.push(match view.label {
            // Discreet: the muted colour, in the padding row's right corner.
            Some(label) if width(label) + 2 < box_width => {
                let gap = box_width - width(label) - 1;
                Line::from(vec![
                    Span::styled(" ".repeat(gap), Style::new().bg(bg)),
                    Span::styled(label, theme.muted.bg(bg)),
                    Span::styled(" ", Style::new().bg(bg)),
                ])
            }
            _ => blank(),
        });
    }
    // Lines wider than the box wrap, each continuation row marked, rather than being cut.
    let text_width = box_width.saturating_sub(gutter + 2 * pad).max(4);
    let window = view.window.clone().unwrap_or(0..highlighted.len());
    for (i, spans) in highlighted.iter().enumerate().filter(|(i, _)| window.contains(i)) {
        let lit = group.is_none_or(|g| g.contains(i + 1));
        let mut styled: Vec<Span<'static>> = spans
            .iter()
            .map(|(style, text)| {
                let style = if lit { style.bg(bg) } else { Style::new().fg(dim).bg(bg) };
                Span::styled(text.clone(), style)
            })
            .collect();
        if let Some((row, col)) = view.cursor
            && row == i
        {
            styled = with_cursor(styled, col, bg);
        }
        for (row, pieces) in split_columns(styled, text_width, width(CONTINUATION)).into_iter().enumerate() {
            let mut out = vec![Span::styled(" ".repeat(pad), Style::new().bg(bg))];
            if gutter > 0 {
                let n = if row == 0 { format!("{:>w$} ", i + 1, w = gutter - 1) } else { " ".repeat(gutter) };
                out.push(Span::styled(n, theme.muted.bg(bg)));
            }
            if row > 0 {
                out.push(Span::styled(CONTINUATION, theme.muted.bg(bg)));
            }
            out.extend(pieces);
            lines.push(pad_line(truncate(Line::from(out), box_width), box_width, bg));
        }
    }
    if background {
        lines.push(blank());
    }
    lines
}

/// The spans with the character at `col` reversed (a reversed space past the line's end):
/// the edit cursor, drawn in the text so it shows in every terminal and in recordings.
fn with_cursor(spans: Vec<Span<'static>>, col: usize, bg: Color) -> Vec<Span<'static>> {
    let mut out = Vec::with_capacity(spans.len() + 2);
    let mut seen = 0;
    let mut placed = false;
    for span in spans {
        let chars = span.content.chars().count();
        if !placed && col < seen + chars {
            let at = col - seen;
            let text: Vec<char> = span.content.chars().collect();
            let before: String = text[..at].iter().collect();
            let under: String = text[at..=at].iter().collect();
            let after: String = text[at + 1..].iter().collect();
            out.push(Span::styled(before, span.style));
            out.push(Span::styled(under, span.style.add_modifier(Modifier::REVERSED)));
            out.push(Span::styled(after, span.style));
            placed = true;
        } else {
            out.push(span);
        }
        seen += chars;
    }
    if !placed {
        out.push(Span::styled(" ", Style::new().bg(bg).add_modifier(Modifier::REVERSED)));
    }
    out
}

/// Starts a code row that continues the line above (the line was wider than the box).
pub const CONTINUATION: &str = "↪ ";

/// Cut styled spans into rows: the first `width` columns wide, the next `width - indent`
/// (they carry a continuation mark), splitting between graphemes.
fn split_columns(spans: Vec<Span<'static>>, width: usize, indent: usize) -> Vec<Vec<Span<'static>>> {
    use unicode_segmentation::UnicodeSegmentation;
    let mut rows = vec![Vec::new()];
    let mut room = width;
    let mut used = 0;
    for span in spans {
        let mut piece = String::new();
        for g in span.content.graphemes(true) {
            let w = super::text::width(g);
            if used + w > room && used > 0 {
                let row = rows.last_mut().expect("never empty");
                row.push(Span::styled(std::mem::take(&mut piece), span.style));
                rows.push(Vec::new());
                room = width.saturating_sub(indent).max(1);
                used = 0;
            }
            piece.push_str(g);
            used += w;
        }
        rows.last_mut().expect("never empty").push(Span::styled(piece, span.style));
    }
    rows
}

/// The highlight group shown at `step`, if the block has any.
fn current_group(code: &CodeBlock, step: usize) -> Option<&HighlightGroup> {
    if code.highlight.is_empty() {
        return None;
    }
    let i = step.saturating_sub(code.highlight_step).min(code.highlight.len() - 1);
    code.highlight.get(i)
}

pub fn pad_line(mut line: Line<'static>, to: usize, bg: Color) -> Line<'static> {
    let w = super::text::line_width(&line);
    if w < to {
        line.spans.push(Span::styled(" ".repeat(to - w), Style::new().bg(bg)));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_syntax_theme_loads_and_every_token_reads_on_its_card() {
        let code = "# a comment\ndef f(x: int) -> str:\n    return f\"{x!r} and 'text' {1.5e3}\"  # more\n";
        for name in crate::theme::NAMES {
            let theme = Theme::named(name).expect("built-in");
            assert!(
                Highlighter::global().themes().themes.contains_key(&theme.syntax_theme),
                "{name}: syntax theme `{}` is loaded",
                theme.syntax_theme
            );
            let lines = Highlighter::global().highlight(code, "python", &theme.syntax_theme, theme.code_bg);
            for (style, text) in lines.iter().flatten() {
                let (Some(fg), Color::Rgb(..)) = (style.fg, theme.code_bg) else { continue };
                let ratio = contrast(fg, theme.code_bg).unwrap_or(21.0);
                assert!(ratio >= MIN_CONTRAST, "{name}: {text:?} in {fg:?} is {ratio:.2}:1 on its card");
            }
        }
    }

    #[test]
    fn a_keystroke_re_highlights_only_the_lines_it_changed() {
        let hl = Highlighter::default();
        let theme = Theme::named("catppuccin-mocha").unwrap();
        let text: String = (0..60).map(|i| format!("value_{i} = compute({i}, 'text')  # note\n")).collect();
        let full = hl.highlight(&text, "python", &theme.syntax_theme, theme.code_bg);
        let count = || hl.lines_highlighted.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(count(), 60);
        // One character typed on line 30.
        let typed = text.replacen("compute(29,", "compute(29 ,", 1);
        let again = hl.highlight(&typed, "python", &theme.syntax_theme, theme.code_bg);
        assert_eq!(count(), 61, "only the changed line was highlighted");
        assert_eq!(again.len(), 60);
        assert_eq!(again[0], full[0]);
        assert_eq!(again[59], full[59]);
        // A line added: still only the new line.
        let added = typed.replacen("value_40 =", "x = 1\nvalue_40 =", 1);
        assert_eq!(hl.highlight(&added, "python", &theme.syntax_theme, theme.code_bg).len(), 61);
        assert_eq!(count(), 62);
        // An opened string changes what follows: those lines are highlighted again, and match
        // a highlighting from scratch.
        let opened = added.replacen("value_10 =", "s = \"\"\"\nvalue_10 =", 1);
        let incremental = hl.highlight(&opened, "python", &theme.syntax_theme, theme.code_bg);
        assert!(count() > 62 + 40, "the string runs to the end");
        let fresh = Highlighter::default().highlight(&opened, "python", &theme.syntax_theme, theme.code_bg);
        assert_eq!(incremental, fresh);
    }

    #[test]
    fn catppuccin_code_is_coloured_by_catppuccin() {
        let theme = Theme::named("catppuccin-mocha").unwrap();
        let lines =
            Highlighter::global().highlight("def f():\n    pass\n", "python", &theme.syntax_theme, theme.code_bg);
        // catppuccin's mauve marks keywords.
        let def = lines[0].iter().find(|(_, t)| t == "def").expect("the keyword");
        assert_eq!(def.0.fg, Some(Color::Rgb(0xcb, 0xa6, 0xf7)), "{def:?}");
    }
}
