//! Reading what a deck names (the deck, its includes, `file` blocks, themes, pictures): only
//! regular files, and only up to a size, so a FIFO, `/dev/zero` or a huge file can neither
//! hang deck nor fill its memory.

use std::io::{self, Read};
use std::path::Path;

/// Decks, includes, `file` blocks and themes.
pub const MAX_TEXT: u64 = 16 * 1024 * 1024;
/// Picture files.
pub const MAX_PICTURE: u64 = 256 * 1024 * 1024;

/// The bytes of `path` when it is a regular file of at most `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    check_regular(path, max)?;
    let mut bytes = Vec::new();
    // The size may have changed since it was checked: never read past the limit.
    std::fs::File::open(path)?.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_big(max));
    }
    Ok(bytes)
}

/// Whether `path` is a regular file of at most `max` bytes (checked before opening it: a
/// FIFO blocks on open).
pub fn check_regular(path: &Path, max: u64) -> io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a folder" } else { "not a regular file (a pipe, socket or device)" };
        return Err(io::Error::new(io::ErrorKind::InvalidInput, what));
    }
    if meta.len() > max {
        return Err(too_big(max));
    }
    Ok(())
}

fn too_big(max: u64) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("larger than {} MB", max / (1024 * 1024)))
}

/// Write `target` through a temporary file beside it, renamed into place once complete: a
/// crash or a full disk never leaves a half-written file, and a replaced file keeps its
/// permissions.
pub fn replace_atomically(
    target: &Path,
    contents: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Write;
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.partial-{}",
        target.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        contents(&mut file)?;
        file.flush()?;
        let file = file.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        if let Ok(meta) = std::fs::metadata(target) {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        std::fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_of_bounded_size() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("deck.md");
        std::fs::write(&file, "hello").unwrap();
        assert_eq!(read_regular(&file, 10).unwrap(), b"hello");
        assert!(read_regular(&file, 3).unwrap_err().to_string().contains("larger than"));
        assert!(read_regular(dir.path(), 10).unwrap_err().to_string().contains("folder"));
        assert!(read_regular(Path::new("/dev/zero"), 10).unwrap_err().to_string().contains("not a regular file"));
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert!(read_regular(&fifo, 10).unwrap_err().to_string().contains("not a regular file"));
    }
}
