//! PyO3 demo modules.
