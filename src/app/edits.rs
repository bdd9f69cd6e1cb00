//! Edits made to snippets on stage, kept by snippet identity: applied to the deck (and again
//! after every reload, unless the file changed that snippet: then the file wins), saved as
//! they are made under `$XDG_STATE_HOME/deck/`, so a crash or a restart loses none, and
//! written back into the deck on request.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::{Block, Deck, SnippetId};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Edit {
    /// The snippet's text in the deck file when the edit began.
    pub original: String,
    /// Its text now.
    pub edited: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Edits {
    edits: BTreeMap<SnippetId, Edit>,
}

/// What applying the edits to a freshly read deck did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub applied: usize,
    /// Edits dropped because the deck file changed their snippet (the file wins).
    pub dropped: usize,
}

impl Edits {
    pub fn get(&self, id: SnippetId) -> Option<&Edit> {
        self.edits.get(&id)
    }

    pub fn len(&self) -> usize {
        self.edits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&SnippetId, &Edit)> {
        self.edits.iter()
    }

    /// The snippet `id`, whose text in the file is `original`, now reads `edited`. Editing it
    /// back to the file's text is no edit.
    pub fn set(&mut self, id: SnippetId, original: &str, edited: String) {
        let original = self.edits.get(&id).map_or_else(|| original.to_string(), |e| e.original.clone());
        if edited == original {
            self.edits.remove(&id);
        } else {
            self.edits.insert(id, Edit { original, edited });
        }
    }

    pub fn remove(&mut self, id: SnippetId) -> Option<Edit> {
        self.edits.remove(&id)
    }

    /// Apply every edit to `deck`. A snippet whose file text is no longer the edit's
    /// original was changed in the file: its edit is dropped.
    pub fn apply(&mut self, deck: &mut Deck) -> Applied {
        let mut result = Applied::default();
        let mut found = Vec::new();
        for element in deck.slides.iter_mut().flat_map(|s| s.elements.iter_mut()) {
            let Block::Code(code) = &mut element.block else { continue };
            let Some(edit) = self.edits.get(&code.id) else { continue };
            found.push(code.id);
            if code.body == edit.original {
                code.set_body(edit.edited.clone());
                result.applied += 1;
            } else {
                self.edits.remove(&code.id);
                result.dropped += 1;
            }
        }
        // An edit whose snippet is gone (the file changed its text, so its identity) is dropped.
        let before = self.edits.len();
        self.edits.retain(|id, _| found.contains(id));
        result.dropped += before - self.edits.len();
        result
    }

    /// Read the edits saved for a deck (none when there is no file or it cannot be read).
    pub fn load(path: &Path) -> Edits {
        crate::files::read_regular(path, crate::files::MAX_TEXT)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Save, atomically (a crash mid-write leaves the previous file); no edits, no file.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if self.edits.is_empty() {
            return match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        crate::files::replace_atomically(path, |out| out.write_all(&json))
    }
}

/// Where a deck's edits are kept: `$XDG_STATE_HOME/deck/edits/NAME-HASH.json`, one file per
/// deck file (by its full path).
pub fn state_file(deck: &Path) -> Option<PathBuf> {
    state_file_in(deck, "edits")
}

/// `$XDG_STATE_HOME/deck/KIND/NAME-HASH.json` for a deck file.
pub fn state_file_in(deck: &Path, kind: &str) -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    let base = etcetera::base_strategy::Xdg::new().ok()?;
    let dir = base.state_dir().unwrap_or_else(|| base.data_dir()).join("deck").join(kind);
    let canonical = deck.canonicalize().unwrap_or_else(|_| deck.to_path_buf());
    let hash = blake3::hash(canonical.as_os_str().as_encoded_bytes());
    let stem = deck.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name: String = stem.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(40).collect();
    Some(dir.join(format!("{name}-{}.json", &hash.to_hex()[..12])))
}

/// Write the edits back into the files their snippets come from: only the snippets' lines
/// change, each file is replaced atomically, and a snippet whose lines in the file are no
/// longer its original text is left alone. Returns how many were written.
pub fn write_back(deck: &Deck, edits: &Edits) -> std::io::Result<usize> {
    let mut by_file: BTreeMap<PathBuf, Vec<(usize, &Edit)>> = BTreeMap::new();
    for (_, code) in deck.snippets() {
        if let Some(edit) = edits.get(code.id)
            && code.editable
        {
            by_file.entry(code.file.clone()).or_default().push((code.first_code_line(), edit));
        }
    }
    let mut written = 0;
    for (file, mut changes) in by_file {
        let text = String::from_utf8(crate::files::read_regular(&file, crate::files::MAX_TEXT)?)
            .map_err(std::io::Error::other)?;
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        // From the bottom up, so earlier line numbers stay right.
        changes.sort_by_key(|(line, _)| std::cmp::Reverse(*line));
        for (first, edit) in changes {
            let original: Vec<&str> = edit.original.lines().collect();
            let start = first - 1;
            let matches = lines
                .get(start..start + original.len())
                .is_some_and(|current| current.iter().map(String::as_str).eq(original.iter().copied()));
            if !matches {
                continue;
            }
            lines.splice(start..start + original.len(), edit.edited.lines().map(str::to_string));
            written += 1;
        }
        let mut out = lines.join(newline);
        if text.ends_with('\n') {
            out.push_str(newline);
        }
        crate::files::replace_atomically(&file, |w| w.write_all(out.as_bytes()))?;
    }
    Ok(written)
}
