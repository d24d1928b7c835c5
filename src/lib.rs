//! mgrad: an interpreter for mg, a small language for scalar reverse-mode
//! automatic differentiation.
//!
//! The library does all the computing and no terminal I/O: it parses source,
//! runs it against an autograd graph, and hands back data (grad tables, check
//! reports, DOT text, diagnostics) that `src/main.rs` renders as text or JSON.

pub mod ast;
pub mod parser;
pub mod span;
