//! Themes: named palettes resolved into the styles the renderer uses, plus presenterm-style
//! overrides from front matter (`theme: override:`) or a theme file (`theme: path:`).

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::model::{AlertKind, Alignment};

/// Everything the renderer needs to know about looks.
#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    pub base: Style,
    pub title: Style,
    pub title_alignment: Alignment,
    pub headings: [Style; 6],
    pub code_bg: Color,
    pub code_background: bool,
    pub code_alignment: Alignment,
    pub syntax_theme: String,
    pub inline_code: Style,
    pub link: Style,
    pub quote: Style,
    pub muted: Style,
    pub accent: Color,
    pub error: Color,
    pub success: Color,
    pub alerts: [Color; 5],
    pub footer: Footer,
    pub palette: BTreeMap<String, Color>,
    pub classes: BTreeMap<String, (Option<Color>, Option<Color>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Footer {
    Template { left: Option<FooterItem>, center: Option<FooterItem>, right: Option<FooterItem>, height: u16 },
    ProgressBar { character: char },
    Empty,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum FooterItem {
    Text(String),
    Image { image: String },
}

/// A palette: the few colours a theme is made of.
struct Palette {
    bg: &'static str,
    fg: &'static str,
    title: &'static str,
    h: [&'static str; 3],
    code_bg: &'static str,
    muted: &'static str,
    green: &'static str,
    red: &'static str,
    yellow: &'static str,
    blue: &'static str,
    syntax: &'static str,
}

/// The built-in themes, by the names decks use (`theme: name: catppuccin-mocha`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::VariantNames, strum::AsRefStr)]
#[strum(serialize_all = "kebab-case")]
pub enum BuiltinTheme {
    Dark,
    Light,
    CatppuccinLatte,
    CatppuccinFrappe,
    CatppuccinMacchiato,
    CatppuccinMocha,
    GruvboxDark,
    TokyonightStorm,
    TerminalDark,
    TerminalLight,
}

/// Every built-in theme's name, from the enum (so none can be listed and missing).
pub const NAMES: &[&str] = <BuiltinTheme as strum::VariantNames>::VARIANTS;

#[allow(clippy::too_many_lines, reason = "a table of palettes, one entry per theme")]
fn palette(theme: BuiltinTheme) -> Option<Palette> {
    use BuiltinTheme as T;
    let dark = "base16-eighties.dark";
    let light = "InspiredGitHub";
    Some(match theme {
        T::Dark => Palette {
            bg: "1c1c1c",
            fg: "e6e6e6",
            title: "ee9322",
            h: ["f07178", "82aaff", "c3e88d"],
            code_bg: "2a2a2a",
            muted: "8a8a8a",
            green: "8bd49c",
            red: "ff6b6b",
            yellow: "ffcb6b",
            blue: "82aaff",
            syntax: dark,
        },
        T::Light => Palette {
            bg: "ffffff",
            fg: "212529",
            title: "b35900",
            h: ["b02a37", "0a58ca", "146c43"],
            code_bg: "f0f0f0",
            muted: "6c757d",
            green: "146c43",
            red: "b02a37",
            yellow: "997404",
            blue: "0a58ca",
            syntax: light,
        },
        T::CatppuccinLatte => Palette {
            bg: "eff1f5",
            fg: "4c4f69",
            title: "8839ef",
            h: ["1e66f5", "fe640b", "40a02b"],
            code_bg: "e6e9ef",
            muted: "8c8fa1",
            green: "40a02b",
            red: "d20f39",
            yellow: "df8e1d",
            blue: "1e66f5",
            syntax: light,
        },
        T::CatppuccinFrappe => Palette {
            bg: "303446",
            fg: "c6d0f5",
            title: "ca9ee6",
            h: ["8caaee", "ef9f76", "a6d189"],
            code_bg: "292c3c",
            muted: "838ba7",
            green: "a6d189",
            red: "e78284",
            yellow: "e5c890",
            blue: "8caaee",
            syntax: dark,
        },
        T::CatppuccinMacchiato => Palette {
            bg: "24273a",
            fg: "cad3f5",
            title: "c6a0f6",
            h: ["8aadf4", "f5a97f", "a6da95"],
            code_bg: "1e2030",
            muted: "8087a2",
            green: "a6da95",
            red: "ed8796",
            yellow: "eed49f",
            blue: "8aadf4",
            syntax: dark,
        },
        T::CatppuccinMocha => Palette {
            bg: "1e1e2e",
            fg: "cdd6f4",
            title: "cba6f7",
            h: ["89b4fa", "fab387", "a6e3a1"],
            code_bg: "181825",
            muted: "7f849c",
            green: "a6e3a1",
            red: "f38ba8",
            yellow: "f9e2af",
            blue: "89b4fa",
            syntax: dark,
        },
        T::GruvboxDark => Palette {
            bg: "282828",
            fg: "ebdbb2",
            title: "fabd2f",
            h: ["fe8019", "83a598", "b8bb26"],
            code_bg: "3c3836",
            muted: "928374",
            green: "b8bb26",
            red: "fb4934",
            yellow: "fabd2f",
            blue: "83a598",
            syntax: dark,
        },
        T::TokyonightStorm => Palette {
            bg: "24283b",
            fg: "c0caf5",
            title: "7aa2f7",
            h: ["bb9af7", "ff9e64", "9ece6a"],
            code_bg: "1f2335",
            muted: "737aa2",
            green: "9ece6a",
            red: "f7768e",
            yellow: "e0af68",
            blue: "7aa2f7",
            syntax: dark,
        },
        // The terminal's own colours: no palette.
        T::TerminalDark | T::TerminalLight => return None,
    })
}

impl Theme {
    /// A built-in theme by name; unknown names are `None` (the caller warns).
    pub fn named(name: &str) -> Option<Theme> {
        let theme: BuiltinTheme = name.parse().ok()?;
        Some(match palette(theme) {
            Some(p) => Self::from_palette(theme.as_ref(), &p),
            None => Self::terminal(theme.as_ref()),
        })
    }

    fn from_palette(name: &str, p: &Palette) -> Theme {
        let c = |s: &str| hex(s).unwrap_or(Color::Reset);
        let fg = c(p.fg);
        let base = Style::new().fg(fg).bg(c(p.bg));
        let heading = |color: &str| Style::new().fg(c(color)).add_modifier(Modifier::BOLD);
        Theme {
            name: name.to_string(),
            base,
            title: Style::new().fg(c(p.title)).add_modifier(Modifier::BOLD),
            title_alignment: Alignment::Center,
            headings: [
                heading(p.h[0]),
                heading(p.h[1]),
                heading(p.h[2]),
                heading(p.h[2]),
                heading(p.h[2]),
                heading(p.h[2]),
            ],
            code_bg: c(p.code_bg),
            code_background: true,
            code_alignment: Alignment::Center,
            syntax_theme: p.syntax.to_string(),
            inline_code: Style::new().fg(c(p.green)).bg(c(p.code_bg)),
            link: Style::new().fg(c(p.blue)).add_modifier(Modifier::UNDERLINED),
            quote: Style::new().fg(c(p.muted)).add_modifier(Modifier::ITALIC),
            muted: Style::new().fg(c(p.muted)),
            accent: c(p.title),
            error: c(p.red),
            success: c(p.green),
            alerts: [c(p.blue), c(p.green), c(p.title), c(p.yellow), c(p.red)],
            footer: default_footer(),
            palette: BTreeMap::new(),
            classes: BTreeMap::new(),
        }
    }

    /// Uses the terminal's own colours (ANSI), for terminals with a tuned palette.
    fn terminal(name: &str) -> Theme {
        let light = name.ends_with("light");
        let mut t = Self::from_palette(
            name,
            &palette(if light { BuiltinTheme::Light } else { BuiltinTheme::Dark }).expect("built-in"),
        );
        t.base = Style::new();
        t.title = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
        let h = |c| Style::new().fg(c).add_modifier(Modifier::BOLD);
        t.headings =
            [h(Color::Magenta), h(Color::Blue), h(Color::Green), h(Color::Green), h(Color::Green), h(Color::Green)];
        t.code_bg = if light { Color::Indexed(254) } else { Color::Indexed(235) };
        t.inline_code = Style::new().fg(Color::Green);
        t.muted = Style::new().fg(Color::DarkGray);
        t.quote = t.muted.add_modifier(Modifier::ITALIC);
        t.accent = Color::Yellow;
        t.error = Color::Red;
        t.success = Color::Green;
        t
    }

    pub fn alert_color(&self, kind: AlertKind) -> Color {
        self.alerts[kind as usize]
    }

    pub fn heading(&self, level: u8) -> Style {
        self.headings[(level.clamp(1, 6) - 1) as usize]
    }

    /// A colour written in a deck: a name, hex with or without `#`, or `p:name` from the palette.
    pub fn color(&self, s: &str) -> Option<Color> {
        self_color(&self.palette, s)
    }

    /// Apply presenterm-style overrides; returns messages for what could not be applied.
    pub fn apply(&mut self, o: &ThemeOverride) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(p) = &o.palette {
            for (name, value) in &p.colors {
                match self.color(value) {
                    Some(c) => drop(self.palette.insert(name.clone(), c)),
                    None => problems.push(format!("palette colour `{name}`: cannot read `{value}`")),
                }
            }
            for (name, colors) in &p.classes {
                let fg = colors.foreground.as_deref().and_then(|c| self.color(c));
                let bg = colors.background.as_deref().and_then(|c| self.color(c));
                self.classes.insert(name.clone(), (fg, bg));
            }
        }
        let style = |target: &mut Style, spec: &ElementStyle, what: &str| {
            let mut problems = Vec::new();
            if let Some(colors) = &spec.colors {
                for (value, is_fg) in [(&colors.foreground, true), (&colors.background, false)] {
                    let Some(value) = value else { continue };
                    match self_color(&self.palette, value) {
                        Some(c) if is_fg => *target = target.fg(c),
                        Some(c) => *target = target.bg(c),
                        None => problems.push(format!("{what}: cannot read colour `{value}`")),
                    }
                }
            }
            for (flag, m) in
                [(spec.bold, Modifier::BOLD), (spec.italics, Modifier::ITALIC), (spec.underlined, Modifier::UNDERLINED)]
            {
                match flag {
                    Some(true) => *target = target.add_modifier(m),
                    Some(false) => *target = target.remove_modifier(m),
                    None => {}
                }
            }
            problems
        };
        if let Some(s) = &o.default {
            problems.extend(style(&mut self.base, s, "default"));
        }
        if let Some(s) = &o.slide_title {
            problems.extend(style(&mut self.title, s, "slide_title"));
        }
        if let Some(s) = &o.inline_code {
            problems.extend(style(&mut self.inline_code, s, "inline_code"));
        }
        if let Some(s) = &o.block_quote {
            problems.extend(style(&mut self.quote, s, "block_quote"));
        }
        for (key, s) in o.headings.iter().flatten() {
            match key.strip_prefix('h').and_then(|n| n.parse::<usize>().ok()).filter(|n| (1..=6).contains(n)) {
                Some(n) => problems.extend(style(&mut self.headings[n - 1], s, key)),
                None => problems.push(format!("headings: unknown heading `{key}` (h1 to h6)")),
            }
        }
        if let Some(a) = o.slide_title.as_ref().and_then(|s| s.alignment.as_deref()) {
            self.title_alignment = alignment(a);
        }
        if let Some(code) = &o.code {
            if let Some(a) = &code.alignment {
                self.code_alignment = alignment(a);
            }
            if let Some(bg) = code.background {
                self.code_background = bg;
            }
            if let Some(name) = &code.theme_name {
                self.syntax_theme.clone_from(name);
            }
        }
        if let Some(f) = &o.footer {
            self.footer = match f.style.as_deref() {
                Some("progress_bar") => Footer::ProgressBar {
                    character: f.character.as_deref().and_then(|c| c.chars().next()).unwrap_or('█'),
                },
                Some("empty") => Footer::Empty,
                // What the override leaves unnamed keeps the theme's value (presenterm merges).
                Some("template") | None => {
                    let (left, center, right, height) = match &self.footer {
                        Footer::Template { left, center, right, height } => {
                            (left.clone(), center.clone(), right.clone(), *height)
                        }
                        _ => (None, None, None, 1),
                    };
                    Footer::Template {
                        left: f.left.clone().or(left),
                        center: f.center.clone().or(center),
                        right: f.right.clone().or(right),
                        height: f.height.unwrap_or(height).clamp(1, 8),
                    }
                }
                Some(other) => {
                    problems.push(format!("footer: unknown style `{other}` (template, progress_bar, empty)"));
                    self.footer.clone()
                }
            };
        }
        problems
    }
}

fn self_color(palette: &BTreeMap<String, Color>, s: &str) -> Option<Color> {
    let s = s.trim();
    if let Some(name) = s.strip_prefix("p:").or_else(|| s.strip_prefix("palette:")) {
        return palette.get(name).copied();
    }
    hex(s).or_else(|| s.parse::<Color>().ok())
}

fn alignment(s: &str) -> Alignment {
    match s {
        "center" => Alignment::Center,
        "right" => Alignment::Right,
        _ => Alignment::Left,
    }
}

fn default_footer() -> Footer {
    Footer::Template {
        left: Some(FooterItem::Text("{author}".into())),
        center: None,
        right: Some(FooterItem::Text("{current_slide} / {total_slides}".into())),
        height: 1,
    }
}

/// `ff8800` or `#ff8800`.
fn hex(s: &str) -> Option<Color> {
    let h = s.strip_prefix('#').unwrap_or(s);
    if h.len() != 6 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let v = u32::from_str_radix(h, 16).ok()?;
    Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

/// The part of presenterm's theme format deck reads; unknown keys are ignored so that
/// presenterm theme files load.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ThemeOverride {
    pub default: Option<ElementStyle>,
    pub slide_title: Option<ElementStyle>,
    pub headings: Option<BTreeMap<String, ElementStyle>>,
    pub code: Option<CodeStyle>,
    pub inline_code: Option<ElementStyle>,
    pub block_quote: Option<ElementStyle>,
    pub footer: Option<FooterSpec>,
    pub palette: Option<PaletteSpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ElementStyle {
    pub colors: Option<Colors>,
    pub alignment: Option<String>,
    pub bold: Option<bool>,
    pub italics: Option<bool>,
    pub underlined: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Colors {
    pub foreground: Option<String>,
    pub background: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CodeStyle {
    pub theme_name: Option<String>,
    pub alignment: Option<String>,
    pub background: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FooterSpec {
    pub style: Option<String>,
    pub left: Option<FooterItem>,
    pub center: Option<FooterItem>,
    pub right: Option<FooterItem>,
    pub height: Option<u16>,
    pub character: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PaletteSpec {
    #[serde(default)]
    pub colors: BTreeMap<String, String>,
    #[serde(default)]
    pub classes: BTreeMap<String, Colors>,
}

/// The theme a deck asks for (CLI name first), with overrides applied; problems as warnings.
pub fn resolve(deck: &crate::model::Deck, cli: Option<&str>) -> (Theme, Vec<crate::diag::Diagnostic>) {
    use crate::diag::Diagnostic;
    let spec = &deck.theme;
    let mut warnings = Vec::new();
    let warn = |msg: String| Diagnostic::warning(&deck.path, spec.line.max(1), msg);
    let name = cli.or(spec.name.as_deref()).or(spec.dark.as_deref()).unwrap_or("dark");
    let mut theme = Theme::named(name).unwrap_or_else(|| {
        let hint = crate::diag::did_you_mean(name, NAMES.iter().copied())
            .map_or_else(|| format!("built-in themes: {}", NAMES.join(", ")), |n| format!("did you mean `{n}`?"));
        warnings.push(warn(format!("unknown theme `{name}`, using `dark`")).with_hint(hint));
        Theme::named("dark").expect("built-in")
    });
    if let Some(path) = &spec.path {
        let full = deck.path.parent().unwrap_or(std::path::Path::new("")).join(path);
        match crate::files::read_regular(&full, crate::files::MAX_TEXT)
            .and_then(|b| String::from_utf8(b).map_err(|_| std::io::Error::other("not valid UTF-8")))
            .map_err(|e| e.to_string())
            .and_then(|t| serde_saphyr::from_str::<ThemeOverride>(&t).map_err(|e| e.to_string()))
        {
            Ok(o) => warnings
                .extend(theme.apply(&o).into_iter().map(|p| warn(format!("theme file {}: {p}", path.display())))),
            Err(e) => warnings.push(warn(format!(
                "cannot load theme file `{}`: {}",
                path.display(),
                e.lines().next().unwrap_or("")
            ))),
        }
    }
    if let Some(o) = &spec.overrides {
        warnings.extend(theme.apply(o).into_iter().map(|p| warn(format!("theme override: {p}"))));
    }
    (theme, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_theme_resolves() {
        for name in NAMES {
            assert!(Theme::named(name).is_some(), "{name}");
        }
        assert!(Theme::named("nope").is_none());
    }

    #[test]
    fn overrides_apply() {
        let o: ThemeOverride = serde_saphyr::from_str(
            "code:\n  alignment: left\n  background: false\nfooter:\n  style: progress_bar\npalette:\n  colors:\n    brand: ff0000\n  classes:\n    noice:\n      foreground: p:brand\nslide_title:\n  colors:\n    foreground: \"#00ff00\"\n",
        )
        .unwrap();
        let mut t = Theme::named("dark").unwrap();
        assert!(t.apply(&o).is_empty());
        assert_eq!(t.code_alignment, Alignment::Left);
        assert!(!t.code_background);
        assert_eq!(t.footer, Footer::ProgressBar { character: '█' });
        assert_eq!(t.classes["noice"].0, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(t.title.fg, Some(Color::Rgb(0, 255, 0)));
    }
}
