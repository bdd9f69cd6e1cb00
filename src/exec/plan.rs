//! From the deck to jobs: which snippets run, and the job for each (its folder, file, first
//! line and timeout). The presenter, `deck run`, `check -x` and the exports all start here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Executor, Job, SnippetId};
use crate::model::{Block, CodeBlock, Deck};

/// A snippet to run, where it is, and whether failing is what it should do.
pub struct Planned<'a> {
    pub id: SnippetId,
    /// The slide it is on (0-based).
    pub slide: usize,
    pub code: &'a CodeBlock,
}

/// The snippets `deck run` replays: the ones the presenter would run.
pub fn runnable(deck: &Deck, include_validate: bool) -> Vec<Planned<'_>> {
    deck.slides
        .iter()
        .enumerate()
        .flat_map(|(slide, s)| {
            s.elements.iter().filter_map(move |e| match &e.block {
                Block::Code(code) if code.attrs.exec.runs() || (include_validate && code.attrs.validate) => {
                    Some(Planned { id: code.id, slide, code })
                }
                _ => None,
            })
        })
        .collect()
}

/// Queue the build of every Rust snippet of the deck (the run key then only runs a binary).
pub fn warm_up_rust(executor: &mut Executor, deck: &Deck, timeout: Duration) {
    for p in runnable(deck, true).into_iter().filter(|p| p.code.language == "rust") {
        executor.warm_up(&job(deck, p.id, p.code, timeout));
    }
}

/// The job that runs `code`; an exercise's job carries its checks (from `deck`).
pub fn job(deck: &Deck, id: SnippetId, code: &CodeBlock, timeout: Duration) -> Job {
    let dir = code.file.parent().map(Path::to_path_buf).unwrap_or_default();
    Job {
        id,
        language: code.language.clone(),
        runner: code.attrs.runner.clone(),
        source: code.source.clone(),
        file: code.file.file_name().map_or_else(|| code.file.clone(), PathBuf::from),
        first_line: code.first_code_line(),
        dir,
        timeout: code.attrs.timeout_secs.map_or(timeout, Duration::from_secs),
        checks: code.attrs.exercise.as_deref().and_then(|name| deck.checks(name)),
    }
}
