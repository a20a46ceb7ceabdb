//! Containing bugs: a panic in one request, one file or one code is reported as an internal
//! error at a source location, and the server or the command goes on with the rest.
//!
//! A panic's message can quote the text it was working on (a slice out of bounds prints
//! the string), and notes hold protected health information: the hook installed here logs
//! where a panic happened, never what it said.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, PanicHookInfo};

thread_local! {
    /// Where this thread last panicked, for the code that caught it to report.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Set while [`catch`] runs: the catcher reports the panic, so the hook stays quiet.
    static CAUGHT: Cell<bool> = const { Cell::new(false) };
}

/// A panic caught by [`catch`]: where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub location: String,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal error at {} (a bug in dxpx)", self.location)
    }
}

impl std::error::Error for Fault {}

/// Replaces the default panic hook (which prints the message) with one that records the
/// location and, for a panic nobody catches, prints only that.
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info: &PanicHookInfo<'_>| {
        let location = info.location().map_or_else(
            || "an unknown place".to_string(),
            |l| format!("{}:{}:{}", l.file(), l.line(), l.column()),
        );
        if !CAUGHT.get() {
            let thread = std::thread::current();
            eprintln!(
                "dxpx: internal error at {location} (thread {}); its message is not shown, \
                 since it may quote the document",
                thread.name().unwrap_or("unnamed")
            );
        }
        LOCATION.set(Some(location));
    }));
}

/// Runs `f`; a panic inside it becomes a [`Fault`] naming where it happened.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Fault> {
    let outer = CAUGHT.replace(true);
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    CAUGHT.set(outer);
    result.map_err(|_| Fault {
        location: LOCATION
            .take()
            .unwrap_or_else(|| "an unknown place".to_string()),
    })
}

/// With the `fault-injection` feature (tests only), scanning a text that contains this
/// marker panics, with the text in the panic's message: the tests use it to show that a
/// bug is contained and that its message never reaches a log.
pub const INJECTED_FAULT_MARKER: &str = "DXPX-INJECT-FAULT";

/// Panics when fault injection is compiled in and `text` carries the marker.
#[inline]
pub fn inject(text: &str) {
    #[cfg(feature = "fault-injection")]
    if text.contains(INJECTED_FAULT_MARKER) {
        panic!("injected fault while reading {text:?}");
    }
    #[cfg(not(feature = "fault-injection"))]
    let _ = text;
}

#[cfg(test)]
mod tests {
    use super::*;

    // The hook is process-wide and would hide other unit tests' failure messages, so it
    // is tested end to end (tests/adversarial.rs, tests/cli.rs); here, only catching.
    #[test]
    fn a_panic_is_caught_and_a_value_passes_through() {
        assert!(catch(|| panic!("boom")).is_err());
        assert_eq!(catch(|| 7), Ok(7));
        assert!(!CAUGHT.get(), "the flag is restored");
    }
}
