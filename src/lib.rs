//! deck: a terminal slide-deck presenter with live code.
//!
//! Data flows one way: `parse` (markdown + dialect) → `model` (plain data) → `render`
//! (layout into positioned ops) → the terminal, tests or exporters. `app` holds the
//! presenter's state machine and event loop.

pub mod app;
pub mod diag;
pub mod exec;
pub mod export;
pub mod files;
pub mod headless;
pub mod model;
pub mod parse;
pub mod render;
pub mod theme;
pub mod workshop;
