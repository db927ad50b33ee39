//! The `ironward` command.
fn main() {}
