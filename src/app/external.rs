//! `E`: a snippet in the presenter's own editor. `$VISUAL`, else `$EDITOR`, else `vi`, run
//! through the shell as git does (so `EDITOR="code --wait"` works), on a file holding the
//! whole snippet, hidden lines included.

use std::io;
use std::path::PathBuf;
use std::process::Command;

/// The editor the presenter chose, as a shell command.
fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_string())
}

/// A file name editors recognise the language of.
fn extension(language: &str) -> &str {
    match language {
        "python" | "py" => "py",
        "rust" => "rs",
        "bash" | "sh" | "shell" => "sh",
        "javascript" | "js" => "js",
        "typescript" | "ts" => "ts",
        "go" => "go",
        "c" => "c",
        "cpp" | "c++" => "cpp",
        "ruby" => "rb",
        _ => "txt",
    }
}

/// Let the presenter edit `body` (the caller has handed over the terminal). `Ok(None)`: the
/// editor failed or was left without saving a change.
pub fn edit(language: &str, body: &str) -> io::Result<Option<String>> {
    let dir = private_dir()?;
    let file = dir.join(format!("snippet.{}", extension(language)));
    std::fs::write(&file, body)?;
    let status = Command::new("sh").arg("-c").arg(format!("{} \"$1\"", editor())).arg("deck").arg(&file).status();
    let edited = std::fs::read_to_string(&file);
    let _ = std::fs::remove_dir_all(&dir);
    match (status, edited) {
        (Ok(s), Ok(text)) if s.success() && text != body => Ok(Some(text)),
        (Ok(_), Ok(_)) => Ok(None),
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// A folder only this user can read: a snippet may hold what the presenter would not share.
fn private_dir() -> io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = std::env::temp_dir().join(format!("deck-edit-{}-{}", std::process::id(), rand_suffix()));
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    Ok(dir)
}

/// Enough to keep two edits of one process apart.
fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}
