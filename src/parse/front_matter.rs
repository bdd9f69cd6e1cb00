//! YAML front matter: metadata for the intro slide, the theme and deck options.
//! serde-saphyr is used because it is maintained (serde_yaml is not), pure Rust, and reports
//! error locations, which become file:line diagnostics.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::diag::Diagnostic;
use crate::model::{Meta, Options, ThemeSpec};
use crate::theme::ThemeOverride;

#[derive(Debug, Default, Deserialize)]
struct FrontMatter {
    title: Option<String>,
    sub_title: Option<String>,
    author: Option<String>,
    authors: Option<Vec<String>>,
    date: Option<Scalar>,
    event: Option<String>,
    location: Option<String>,
    theme: Option<ThemeFm>,
    options: Option<OptionsFm>,
    #[serde(flatten)]
    #[allow(clippy::zero_sized_map_values, reason = "serde collects the unknown keys into a map")]
    unknown: BTreeMap<String, IgnoredAny>,
}

/// Dates and numbers are written bare in YAML; keep them as text.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
}

impl Scalar {
    fn into_string(self) -> String {
        match self {
            Scalar::Text(s) => s,
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct ThemeFm {
    name: Option<String>,
    path: Option<String>,
    light: Option<String>,
    dark: Option<String>,
    #[serde(rename = "override")]
    overrides: Option<ThemeOverride>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsFm {
    implicit_slide_ends: Option<bool>,
    end_slide_shorthand: Option<bool>,
    h1_slide_titles: Option<bool>,
    incremental_lists: Option<bool>,
    list_item_newlines: Option<u16>,
    command_prefix: Option<String>,
    strict_front_matter_parsing: Option<bool>,
    auto_render_languages: Option<Vec<String>>,
    image_attributes_prefix: Option<String>,
}

#[derive(Debug)]
pub(super) struct Parsed {
    pub meta: Meta,
    pub theme: ThemeSpec,
    pub options: Options,
}

/// Parse the YAML between the `---` fences. `first_line` is the file line of the YAML's first
/// line, so error positions point into the deck.
pub(super) fn parse(yaml: &str, file: &Path, first_line: usize, deck_text: &str) -> Result<Parsed, Diagnostic> {
    let error = |line: usize, msg: String| {
        Diagnostic::error(file, line, format!("invalid front matter: {msg}")).with_source(deck_text)
    };
    let fm: FrontMatter = if yaml.trim().is_empty() {
        FrontMatter::default()
    } else {
        serde_saphyr::from_str(yaml).map_err(|e| {
            let line = e.location().map_or(1, |l| l.line() as usize);
            let msg = e.to_string().lines().next().unwrap_or_default().to_string();
            error(first_line + line.saturating_sub(1), msg)
        })?
    };
    let opts = fm.options.unwrap_or_default();
    let strict = opts.strict_front_matter_parsing.unwrap_or(true);
    if strict && let Some(key) = fm.unknown.keys().next() {
        let line = key_line(yaml, key).map_or(first_line, |l| first_line + l);
        return Err(error(line, format!("unknown key `{key}`")).with_hint(
            "known keys: title, sub_title, author, authors, date, event, location, theme, options \
             (set options.strict_front_matter_parsing: false to allow others)",
        ));
    }
    let authors = match (fm.author, fm.authors) {
        (Some(_), Some(_)) => {
            let line = key_line(yaml, "authors").map_or(first_line, |l| first_line + l);
            return Err(error(line, "both `author` and `authors` are set".into())
                .with_hint("use `authors: [..]` for several, `author:` for one"));
        }
        (Some(a), None) => vec![a],
        (None, Some(list)) => list,
        (None, None) => vec![],
    };
    let inline = |s: Option<String>| s.map(|s| super::inline::parse_inline_markdown(&s));
    let meta = Meta {
        title: inline(fm.title),
        sub_title: inline(fm.sub_title),
        authors,
        date: fm.date.map(Scalar::into_string),
        event: fm.event,
        location: fm.location,
    };
    let theme = fm.theme.map(|t| ThemeSpec {
        line: key_line(yaml, "theme").map_or(first_line, |l| first_line + l),
        name: t.name,
        path: t.path.map(Into::into),
        light: t.light,
        dark: t.dark,
        overrides: t.overrides,
    });
    let options = Options {
        implicit_slide_ends: opts.implicit_slide_ends.unwrap_or(false),
        end_slide_shorthand: opts.end_slide_shorthand.unwrap_or(false),
        h1_slide_titles: opts.h1_slide_titles.unwrap_or(false),
        incremental_lists: opts.incremental_lists.unwrap_or(false),
        list_item_newlines: opts.list_item_newlines,
        command_prefix: opts.command_prefix,
        auto_render_languages: opts.auto_render_languages.unwrap_or_default(),
        image_attributes_prefix: opts.image_attributes_prefix,
    };
    Ok(Parsed { meta, theme: theme.unwrap_or_default(), options })
}

/// 0-based line of a top-level key in the YAML text.
fn key_line(yaml: &str, key: &str) -> Option<usize> {
    yaml.lines().position(|l| l.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(':')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(yaml: &str) -> Parsed {
        parse(yaml, Path::new("d.md"), 2, yaml).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn reads_meta_options_and_theme() {
        let p = parse_ok(
            "title: Hello _there_\nauthors: [A, B]\ndate: 2026-11-24\ntheme:\n  name: catppuccin-mocha\noptions:\n  end_slide_shorthand: true\n",
        );
        assert_eq!(p.meta.title.unwrap().plain(), "Hello there");
        assert_eq!(p.meta.authors, vec!["A", "B"]);
        assert_eq!(p.meta.date.as_deref(), Some("2026-11-24"));
        assert_eq!(p.theme.name.as_deref(), Some("catppuccin-mocha"));
        assert!(p.options.end_slide_shorthand);
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let e = parse("title: x\nbogus: 1\n", Path::new("d.md"), 2, "---\ntitle: x\nbogus: 1\n---\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("unknown key `bogus`"), "{e}");
        let lenient = parse("bogus: 1\noptions:\n  strict_front_matter_parsing: false\n", Path::new("d.md"), 2, "");
        assert!(lenient.is_ok());
    }

    #[test]
    fn author_and_authors_conflict() {
        let e = parse("author: a\nauthors: [b]\n", Path::new("d.md"), 2, "").unwrap_err();
        assert!(e.message.contains("both"), "{e}");
        assert_eq!(e.line, 3);
    }

    #[test]
    fn yaml_syntax_error_points_into_the_deck() {
        let e = parse("title: x\ntheme: [unclosed\n", Path::new("d.md"), 2, "").unwrap_err();
        assert!(e.line >= 3, "{e}");
    }
}
