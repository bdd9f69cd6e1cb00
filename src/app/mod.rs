//! The presenter: state machine (`state`), keymap (`keys`), drawing (`draw`), event loop
//! (`run`, whose `Session` ties the parts together), live code (`snippets`), the link to the
//! notes screen (`peer` over `remote`), the notes screen itself (`notes`), and the real
//! terminal around it (`terminal`).

pub mod backend;
pub mod draw;
pub mod editor;
pub mod edits;
pub mod external;
pub mod graphics;
pub mod keys;
pub mod notes;
pub mod peer;
pub mod remote;
pub mod run;
pub mod snippets;
pub mod state;
pub mod terminal;
pub mod timer;
