/// The module's own stack: a region of its linear memory, set at link time by build.rs
/// (the linker's default is 1 MiB). A debug build keeps more of each frame there: the
/// deepest path measured (a plot inside a plotted function) took about 4 KiB a level,
/// so 4 MiB holds some 1,000 levels, well past the evaluation depth `DEPTH` allows; the
/// engine's native stack binds first. An overflow would trap, not corrupt memory: the
/// stack sits below the module's data, so it runs out of bounds.
pub const STACK_BYTES: usize = 4 << 20;
