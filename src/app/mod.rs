//! The presenter: state machine (`state`), keymap (`keys`), drawing (`draw`), event loop
//! (`run`), and the real terminal around it (`terminal`).

pub mod draw;
pub mod keys;
pub mod notes;
pub mod remote;
pub mod run;
pub mod state;
pub mod terminal;
