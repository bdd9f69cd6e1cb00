mod diag;
mod model;
mod parse;
mod theme;

fn main() {}
