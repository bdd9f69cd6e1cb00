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
    /// What the 16 colour names mean here (`color: blue`), so a name reads on this theme
    /// rather than taking the terminal's own blue.
    pub named: [Color; 16],
    /// Code lines a highlight walk is not on: faded, unlike `muted`, which is read.
    pub dim: Color,
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
    blue: &'static str,
    syntax: &'static str,
    /// Alert colours as presenterm's theme has them: note, tip, important, warning, caution.
    alerts: [&'static str; 5],
    /// What the 16 colour names mean in this theme (`color: blue`), in ratatui's order:
    /// black, red, green, yellow, blue, magenta, cyan, gray, darkgray, lightred, lightgreen,
    /// lightyellow, lightblue, lightmagenta, lightcyan, white.
    ansi: [&'static str; 16],
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
    // Themes without a syntax theme of their own use syntect's bundled ones.
    let dark = "base16-eighties.dark";
    let light = "InspiredGitHub";
    Some(match theme {
        T::Dark => Palette {
            bg: "040312",
            fg: "e6e6e6",
            title: "ee9322",
            h: ["3085c3", "a8df8e", "f78ca2"],
            code_bg: "2d2d2d",
            muted: "8a8a8a",
            green: "a8df8e",
            red: "f78ca2",
            blue: "3085c3",
            syntax: dark,
            alerts: ["3085c3", "a8df8e", "986ee2", "ee9322", "f78ca2"],
            ansi: [
                "2d2d2d", "f78ca2", "a8df8e", "ffcb6b", "3085c3", "986ee2", "a5d7e8", "d2d2d2", "8a8a8a", "f78ca2",
                "a8df8e", "ffcb6b", "b4ccff", "986ee2", "a5d7e8", "e6e6e6",
            ],
        },
        T::Light => Palette {
            bg: "f8f9fa",
            fg: "212529",
            title: "874303",
            h: ["1d3557", "417799", "4a4e69"],
            code_bg: "ced4da",
            muted: "6a737b",
            green: "186301",
            red: "ad022c",
            blue: "1e66f5",
            syntax: light,
            alerts: ["1e66f5", "186301", "8839ef", "a26405", "d20f39"],
            ansi: [
                "212529", "d20f39", "186301", "a26405", "1e66f5", "b6469b", "017f85", "6a737b", "4a4e69", "d20f39",
                "186301", "a26405", "1e66f5", "b6469b", "017f85", "f8f9fa",
            ],
        },
        T::CatppuccinLatte => Palette {
            bg: "eff1f5",
            fg: "4c4f69",
            title: "784903",
            h: ["05797f", "8839ef", "1a62f1"],
            code_bg: "ccd0da",
            muted: "5c5f77",
            green: "176101",
            red: "a9042b",
            blue: "1a62f1",
            syntax: "catppuccin-latte",
            alerts: ["1a62f1", "176101", "8839ef", "784903", "d20f39"],
            ansi: [
                "4c4f69", "d20f39", "176101", "784903", "1a62f1", "b14196", "05797f", "5c5f77", "5c5f77", "ce2c40",
                "176101", "784903", "07788a", "b14196", "0175a3", "eff1f5",
            ],
        },
        T::CatppuccinFrappe => Palette {
            bg: "303446",
            fg: "c6d0f5",
            title: "e5c890",
            h: ["81c8be", "ca9ee6", "8caaee"],
            code_bg: "414559",
            muted: "b5bfe2",
            green: "a6d189",
            red: "ff9799",
            blue: "8caaee",
            syntax: "catppuccin-frappe",
            alerts: ["8caaee", "a6d189", "ca9ee6", "e5c890", "e78284"],
            ansi: [
                "51576d", "e78284", "a6d189", "e5c890", "8caaee", "f4b8e4", "81c8be", "b5bfe2", "a5adce", "ea999c",
                "a6d189", "e5c890", "85c1dc", "f4b8e4", "99d1db", "c6d0f5",
            ],
        },
        T::CatppuccinMacchiato => Palette {
            bg: "24273a",
            fg: "cad3f5",
            title: "eed49f",
            h: ["8bd5ca", "c6a0f6", "8aadf4"],
            code_bg: "363a4f",
            muted: "a5adcb",
            green: "a6da95",
            red: "ed8796",
            blue: "8aadf4",
            syntax: "catppuccin-macchiato",
            alerts: ["8aadf4", "a6da95", "c6a0f6", "f5a97f", "ed8796"],
            ansi: [
                "494d64", "ed8796", "a6da95", "eed49f", "8aadf4", "f5bde6", "8bd5ca", "b8c0e0", "a5adcb", "ee99a0",
                "a6da95", "eed49f", "7dc4e4", "f5bde6", "91d7e3", "cad3f5",
            ],
        },
        T::CatppuccinMocha => Palette {
            bg: "1e1e2e",
            fg: "cdd6f4",
            title: "f9e2af",
            h: ["94e2d5", "cba6f7", "89b4fa"],
            code_bg: "313244",
            muted: "a6adc8",
            green: "a6e3a1",
            red: "f38ba8",
            blue: "89b4fa",
            syntax: "catppuccin-mocha",
            alerts: ["89b4fa", "a6e3a1", "cba6f7", "fab387", "f38ba8"],
            ansi: [
                "45475a", "f38ba8", "a6e3a1", "f9e2af", "89b4fa", "f5c2e7", "94e2d5", "bac2de", "a6adc8", "eba0ac",
                "a6e3a1", "f9e2af", "74c7ec", "f5c2e7", "89dceb", "cdd6f4",
            ],
        },
        T::GruvboxDark => Palette {
            bg: "282828",
            fg: "ebdbb2",
            title: "fabd2f",
            h: ["8ec07c", "d3869b", "83a598"],
            code_bg: "3c3836",
            muted: "bdae93",
            green: "b8bb26",
            red: "ff7c68",
            blue: "83a598",
            syntax: "gruvbox-dark",
            alerts: ["83a598", "b8bb26", "d3869b", "fe8019", "ff7c68"],
            ansi: [
                "282828", "ff7c68", "b8bb26", "fabd2f", "83a598", "d3869b", "8ec07c", "a89984", "a89984", "ff7c68",
                "b8bb26", "fabd2f", "83a598", "d3869b", "8ec07c", "ebdbb2",
            ],
        },
        T::TokyonightStorm => Palette {
            bg: "24283b",
            fg: "c0caf5",
            title: "e0af68",
            h: ["9ece6a", "f7768e", "7aa2f7"],
            code_bg: "3b4261",
            muted: "a9b1d6",
            green: "9ece6a",
            red: "fe91a2",
            blue: "7aa2f7",
            syntax: "tokyonight-storm",
            alerts: ["7aa2f7", "9ece6a", "bb9af7", "e0af68", "f7768e"],
            ansi: [
                "414868", "f7768e", "9ece6a", "e0af68", "7aa2f7", "bb9af7", "7dcfff", "a9b1d6", "a9b1d6", "f7768e",
                "9ece6a", "e0af68", "7aa2f7", "bb9af7", "7dcfff", "c0caf5",
            ],
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
            alerts: p.alerts.map(c),
            footer: default_footer(),
            palette: BTreeMap::new(),
            classes: BTreeMap::new(),
            named: p.ansi.map(c),
            dim: blend(c(p.muted), c(p.code_bg), 0.45),
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
        t.alerts = [Color::Blue, Color::Green, Color::Magenta, Color::Yellow, Color::Red];
        t.named = NAMED;
        t.dim = Color::DarkGray;
        t
    }

    pub fn alert_color(&self, kind: AlertKind) -> Color {
        self.alerts[kind as usize]
    }

    pub fn heading(&self, level: u8) -> Style {
        self.headings[(level.clamp(1, 6) - 1) as usize]
    }

    /// A colour written in a deck: a name, hex with or without `#`, or `p:name` from the palette.
    /// Names (`blue`) mean the theme's own colour of that name.
    pub fn color(&self, s: &str) -> Option<Color> {
        self_color(&self.palette, s).map(|c| self.themed(c))
    }

    /// The theme's colour for one of the 16 named colours (any other colour as it is).
    pub fn themed(&self, c: Color) -> Color {
        named_in(&self.named, c)
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
        let named = self.named;
        let style = |target: &mut Style, spec: &ElementStyle, what: &str| {
            let mut problems = Vec::new();
            if let Some(colors) = &spec.colors {
                for (value, is_fg) in [(&colors.foreground, true), (&colors.background, false)] {
                    let Some(value) = value else { continue };
                    match self_color(&self.palette, value).map(|c| named_in(&named, c)) {
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

/// The 16 named colours, in the order of a palette's `ansi`.
const NAMED: [Color; 16] = [
    Color::Black,
    Color::Red,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
    Color::Gray,
    Color::DarkGray,
    Color::LightRed,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::White,
];

fn named_in(named: &[Color; 16], c: Color) -> Color {
    NAMED.iter().position(|n| *n == c).map_or(c, |i| named[i])
}

/// `a` moved toward `b` by `t` (0: a, 1: b), in sRGB; other colours stay `a`.
pub fn blend(a: Color, b: Color, t: f32) -> Color {
    match (a, b) {
        (Color::Rgb(r1, g1, b1), Color::Rgb(r2, g2, b2)) => {
            let mix = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
            Color::Rgb(mix(r1, r2), mix(g1, g2), mix(b1, b2))
        }
        _ => a,
    }
}

/// WCAG 2.x contrast ratio of two RGB colours (1 to 21); `None` for terminal colours.
pub fn contrast(a: Color, b: Color) -> Option<f64> {
    fn luminance(color: Color) -> Option<f64> {
        let Color::Rgb(red, green, blue) = color else { return None };
        let linear = |channel: u8| {
            let value = f64::from(channel) / 255.0;
            if value <= 0.040_45 { value / 12.92 } else { ((value + 0.055) / 1.055).powf(2.4) }
        };
        Some(0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue))
    }
    let (a, b) = (luminance(a)?, luminance(b)?);
    Some((a.max(b) + 0.05) / (a.min(b) + 0.05))
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
        // presenterm's built-in themes show the slide number only.
        left: None,
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
    if let Footer::Template { left, center, right, .. } = &theme.footer {
        let dir = deck.path.parent().unwrap_or(std::path::Path::new(""));
        for item in [left, center, right].into_iter().flatten() {
            if let FooterItem::Image { image } = item
                && !dir.join(image).is_file()
            {
                warnings.push(
                    warn(format!("footer image not found: `{image}`"))
                        .with_hint(format!("paths are relative to the deck's folder ({})", dir.display())),
                );
            }
        }
    }
    (theme, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every colour body text is drawn in, on every surface it is drawn on, reads at 4.5:1
    /// (WCAG AA) in every built-in theme; code cards stand out from the page.
    #[test]
    fn body_text_reaches_wcag_aa_on_every_builtin_theme() {
        for name in NAMES {
            let theme = Theme::named(name).expect("built-in");
            if name.starts_with("terminal") {
                continue; // the terminal's own colours
            }
            let page = theme.base.bg.expect("a page colour");
            let card = theme.code_bg;
            let output = match card {
                Color::Rgb(r, g, b) => Color::Rgb(r.saturating_sub(8), g.saturating_sub(8), b.saturating_sub(8)),
                other => other,
            };
            let fg = |s: Style| s.fg.expect("a colour");
            let mut pairs = vec![
                ("text", fg(theme.base), page),
                ("text on code", fg(theme.base), card),
                ("text on output", fg(theme.base), output),
                ("muted (footer)", fg(theme.muted), page),
                ("quote", fg(theme.quote), page),
                ("title", fg(theme.title), page),
                ("running status", theme.accent, output),
                ("link", fg(theme.link), page),
                ("inline code", fg(theme.inline_code), theme.inline_code.bg.unwrap_or(page)),
                ("success", theme.success, page),
                ("success status", theme.success, output),
                ("error", theme.error, page),
                ("error status", theme.error, output),
            ];
            pairs.extend(theme.headings.iter().take(3).map(|h| ("heading", fg(*h), page)));
            pairs.extend(theme.alerts.iter().map(|a| ("alert", *a, page)));
            let dark = contrast(page, Color::Rgb(0, 0, 0)).unwrap() < 7.0;
            for (i, named) in theme.named.iter().enumerate() {
                // Black on a dark page and white on a light one are background colours.
                if (dark && i == 0) || (!dark && i == 15) {
                    continue;
                }
                pairs.push(("named colour", *named, page));
            }
            let low: Vec<String> = pairs
                .iter()
                .filter_map(|(what, fg, bg)| {
                    let r = contrast(*fg, *bg).expect("RGB colours");
                    (r < 4.5).then(|| format!("{what} {fg:?} on {bg:?}: {r:.2}:1"))
                })
                .collect();
            assert!(low.is_empty(), "{name}: {low:#?}");
            let card_ratio = contrast(page, card).unwrap();
            assert!(card_ratio >= 1.25, "{name}: the code card stands out only {card_ratio:.3}:1");
        }
    }

    #[test]
    fn a_missing_footer_image_is_a_warning() {
        let text = "---\ntheme:\n  override:\n    footer:\n      style: template\n      left:\n        image: nope.png\n---\n\nhi\n";
        let deck = crate::parse::parse_str(text, std::path::Path::new("/tmp/deck.md")).unwrap();
        let (_, warnings) = resolve(&deck, None);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("footer image not found: `nope.png`"), "{}", warnings[0]);
    }

    #[test]
    fn colour_names_mean_the_themes_colours() {
        let mocha = Theme::named("catppuccin-mocha").unwrap();
        assert_eq!(mocha.color("blue"), Some(Color::Rgb(0x89, 0xb4, 0xfa)));
        assert_eq!(mocha.color("#123456"), Some(Color::Rgb(0x12, 0x34, 0x56)));
        let terminal = Theme::named("terminal-dark").unwrap();
        assert_eq!(terminal.color("blue"), Some(Color::Blue), "terminal themes keep the terminal's colours");
    }

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
