//! Gives the wasm module a larger stack than the linker's 1 MiB, so programs can
//! nest (and recurse) as deeply as a learner's do; src/stack.rs holds the size.

include!("src/stack.rs");

fn main() {
    println!("cargo::rerun-if-changed=src/stack.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo::rustc-link-arg-cdylib=-zstack-size={STACK_BYTES}");
    }
}
