//! Code-block info strings (`rust {1-4|all} +line_numbers +exec`), highlight specs and the
//! hidden-line conventions.

use crate::model::{CodeAttrs, ExecMode, HighlightGroup};

/// The parsed info string. `problems` are messages for warnings (unknown attribute, bad spec).
#[derive(Debug, Default, PartialEq)]
pub struct Info {
    pub language: String,
    pub attrs: CodeAttrs,
    pub highlight: Vec<HighlightGroup>,
    pub problems: Vec<String>,
}

const ATTRS: &[&str] = &[
    "line_numbers",
    "no_background",
    "exec",
    "exec_replace",
    "auto_exec",
    "id",
    "image",
    "acquire_terminal",
    "pty",
    "validate",
    "expect",
    "render",
    "timeout",
    "exercise",
    "check",
    "solution",
];

pub fn parse_info(info: &str) -> Info {
    let mut out = Info::default();
    let (rest, spec) = split_highlight(info);
    if let Some(spec) = spec {
        match parse_highlight(spec) {
            Ok(groups) => out.highlight = groups,
            Err(e) => out.problems.push(e),
        }
    }
    let mut tokens = rest.split_whitespace();
    out.language = tokens.next().unwrap_or("").to_ascii_lowercase();
    for token in tokens {
        let Some(attr) = token.strip_prefix('+') else {
            out.problems
                .push(format!("unexpected `{token}` in the code block's info string (attributes start with `+`)"));
            continue;
        };
        let (name, value) = match attr.split_once(':') {
            Some((n, v)) => (n, Some(v)),
            None => (attr, None),
        };
        if let Err(e) = apply_attr(&mut out.attrs, name, value) {
            out.problems.push(e);
        }
    }
    out
}

fn apply_attr(a: &mut CodeAttrs, name: &str, value: Option<&str>) -> Result<(), String> {
    match name {
        "line_numbers" => a.line_numbers = true,
        "no_background" => a.no_background = true,
        "exec" => {
            a.exec = ExecMode::Exec;
            a.runner = value.map(str::to_string);
        }
        "exec_replace" => a.exec = ExecMode::Replace,
        "auto_exec" => a.exec = ExecMode::Auto,
        "id" => a.id = Some(value.ok_or("`+id` needs a name: `+id:name`")?.to_string()),
        "image" => a.image = true,
        "acquire_terminal" => a.acquire_terminal = true,
        "pty" => a.pty = true,
        "validate" => a.validate = true,
        "render" => a.render = true,
        "expect" => match value {
            Some("failure") => a.expect_failure = true,
            Some("success") => a.expect_failure = false,
            _ => return Err("`+expect` takes `success` or `failure`".into()),
        },
        "exercise" => a.exercise = Some(workshop_name(value, "exercise")?),
        "check" => a.check = Some(workshop_name(value, "check")?),
        "solution" => a.solution = Some(workshop_name(value, "solution")?),
        "timeout" => {
            let secs = value.and_then(|v| v.trim_end_matches('s').parse().ok());
            a.timeout_secs = Some(secs.ok_or("`+timeout` takes seconds: `+timeout:10`")?);
        }
        other => {
            let hint = crate::diag::did_you_mean(other, ATTRS.iter().copied())
                .map(|n| format!(" (did you mean `+{n}`?)"))
                .unwrap_or_default();
            return Err(format!("unknown code block attribute `+{other}`{hint}"));
        }
    }
    Ok(())
}

/// The exercise a `+exercise:NAME`, `+check:NAME` or `+solution:NAME` block belongs to.
fn workshop_name(value: Option<&str>, attr: &str) -> Result<String, String> {
    value
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .ok_or_else(|| format!("`+{attr}` needs the exercise's name: `+{attr}:NAME`"))
}

/// Splits `{...}` out of the info string, wherever it stands.
fn split_highlight(info: &str) -> (String, Option<&str>) {
    match (info.find('{'), info.rfind('}')) {
        (Some(a), Some(b)) if a < b => {
            let rest = format!("{} {}", &info[..a], &info[b + 1..]);
            (rest, Some(&info[a + 1..b]))
        }
        _ => (info.to_string(), None),
    }
}

/// `1,3,5-7` is one group; `1-4|6-10|all` steps through three.
pub fn parse_highlight(spec: &str) -> Result<Vec<HighlightGroup>, String> {
    let bad = |part: &str| format!("invalid highlight range `{part}` (expected e.g. {{1,3-5|all}})");
    spec.split('|')
        .map(|group| {
            let group = group.trim();
            if group.is_empty() || group == "all" {
                return Ok(HighlightGroup::All);
            }
            let ranges = group
                .split(',')
                .map(|part| {
                    let part = part.trim();
                    let (a, b) = part.split_once('-').unwrap_or((part, part));
                    match (a.trim().parse::<usize>(), b.trim().parse::<usize>()) {
                        (Ok(a), Ok(b)) if a >= 1 && a <= b => Ok((a, b)),
                        _ => Err(bad(part)),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(HighlightGroup::Lines(ranges))
        })
        .collect()
}

/// The prefix that marks a line as run-but-hidden, per language (rustdoc's `# ` for Rust).
pub fn hidden_prefix(language: &str) -> &'static str {
    if language == "rust" { "#" } else { "///" }
}

/// Splits code into what is displayed and what is run.
pub fn split_hidden(language: &str, code: &str) -> (String, String) {
    let prefix = hidden_prefix(language);
    let mut display = String::new();
    let mut source = String::new();
    for line in code.lines() {
        if let Some(rest) = hidden_line(line, prefix) {
            source.push_str(&rest);
            source.push('\n');
        } else {
            let shown = if prefix == "#" && line.trim_start().starts_with("##") {
                line.replacen("##", "#", 1) // rustdoc's escape for a literal `#`
            } else {
                line.to_string()
            };
            display.push_str(&shown);
            display.push('\n');
            source.push_str(&shown);
            source.push('\n');
        }
    }
    (display, source)
}

/// Whether `line` is hidden from the slide (it runs, but is not shown).
pub fn is_hidden(line: &str, prefix: &str) -> bool {
    hidden_line(line, prefix).is_some()
}

/// The line to run when `line` is hidden (marker removed, indentation kept).
fn hidden_line(line: &str, prefix: &str) -> Option<String> {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    if trimmed == prefix {
        return Some(indent.to_string());
    }
    let rest = trimmed.strip_prefix(prefix)?.strip_prefix(' ')?;
    Some(format!("{indent}{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_with_spec_and_attributes() {
        let i = parse_info("rust {1-4|6-10|all} +line_numbers +exec");
        assert_eq!(i.language, "rust");
        assert!(i.attrs.line_numbers);
        assert_eq!(i.attrs.exec, ExecMode::Exec);
        assert_eq!(
            i.highlight,
            vec![HighlightGroup::Lines(vec![(1, 4)]), HighlightGroup::Lines(vec![(6, 10)]), HighlightGroup::All]
        );
        assert!(i.problems.is_empty());
    }

    #[test]
    fn runner_id_and_problems() {
        let i = parse_info("python +exec:subprocess +id:out +timeout:5 +bogus {1,x}");
        assert_eq!(i.attrs.runner.as_deref(), Some("subprocess"));
        assert_eq!(i.attrs.id.as_deref(), Some("out"));
        assert_eq!(i.attrs.timeout_secs, Some(5));
        assert_eq!(i.problems.len(), 2, "{:?}", i.problems);
    }

    #[test]
    fn hidden_lines_per_language() {
        let (shown, run) = split_hidden("rust", "# use std::x;\nfn main() {}\n#[derive(Debug)]\n");
        assert_eq!(shown, "fn main() {}\n#[derive(Debug)]\n");
        assert_eq!(run, "use std::x;\nfn main() {}\n#[derive(Debug)]\n");
        let (shown, run) = split_hidden("python", "/// import time\nprint(1)\n");
        assert_eq!(shown, "print(1)\n");
        assert_eq!(run, "import time\nprint(1)\n");
    }
}
