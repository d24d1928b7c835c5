//! cargo fuzz run run: mg source through parse and run, with limits on.
#![no_main]

#[path = "../pipeline.rs"]
mod pipeline;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // libFuzzer runs on the main thread (8 MiB); AddressSanitizer's frames are several
    // times larger than a plain build's, so the depth is sized for a quarter of it.
    pipeline::run_one(data, 2 << 20);
});
