//! mgrad: an interpreter for mg, a small language for scalar reverse-mode
//! automatic differentiation.
//!
//! The library does all the computing and no terminal I/O: it parses source,
//! runs it against an autograd graph, and hands back data (grad tables, check
//! reports, DOT text, diagnostics) that `src/main.rs` renders as text or JSON.
//!
//! Pipeline: `grammar/mg.pest` → [`parser`] → [`ast`] → [`interpreter`] →
//! [`graph`] (the autograd engine) → [`output`] → [`render`] / JSON, or [`picture`]
//! (SVG and HTML), or all of these at once for a rich host ([`rich`]: a web page, a notebook).

pub mod assist;
pub mod ast;
pub mod diagnostic;
pub mod grade;
pub mod graph;
pub mod help;
pub mod interpreter;
pub mod limits;
pub mod meta;
pub mod number;
pub mod output;
pub mod parser;
pub mod paths;
pub mod picture;
pub mod render;
pub mod rich;
pub mod span;
pub mod suggest;
pub mod value;
