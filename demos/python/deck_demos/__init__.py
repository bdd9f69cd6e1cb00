"""deck's PyO3 demo modules, compiled from Rust. Import them by name: rust_demo, char_count,
sieve, jxl_demo."""
