//! What every command shares: reading a document and naming positions in it.

use std::path::Path;

/// A file that cannot be checked as text, and why.
#[derive(Debug)]
pub struct Unreadable {
    pub path: std::path::PathBuf,
    pub why: Why,
}

#[derive(Debug)]
pub enum Why {
    Io(std::io::Error),
    /// NUL bytes: a binary file.
    Binary,
    /// Not UTF-8, first at this byte offset.
    NotUtf8 {
        offset: usize,
    },
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.path.display();
        match &self.why {
            Why::Io(e) => write!(f, "{path}: {e}"),
            Why::Binary => write!(f, "{path}: binary file (contains NUL bytes), skipped"),
            Why::NotUtf8 { offset } => write!(
                f,
                "{path}: not valid UTF-8 (first bad byte at offset {offset}), skipped"
            ),
        }
    }
}

impl std::error::Error for Unreadable {}

/// Reads a file as text. Invalid UTF-8 is an error for that file, never a panic; a file
/// with NUL bytes is taken for binary and refused.
pub fn read_document(path: &Path) -> Result<String, Unreadable> {
    let unreadable = |why| Unreadable {
        path: path.to_path_buf(),
        why,
    };
    let bytes = std::fs::read(path).map_err(|e| unreadable(Why::Io(e)))?;
    if bytes.contains(&0) {
        return Err(unreadable(Why::Binary));
    }
    String::from_utf8(bytes).map_err(|e| {
        unreadable(Why::NotUtf8 {
            offset: e.utf8_error().valid_up_to(),
        })
    })
}

/// Reads each path as a document and hands it to `each` with buffered standard output. A
/// file that cannot be read, or that meets a bug in dxpx, is reported and skipped (nothing
/// of its half-written report is printed); the exit status is then 2.
pub fn each_document(
    paths: &[std::path::PathBuf],
    mut each: impl FnMut(&mut dyn std::io::Write, &Path, &str),
) -> std::process::ExitCode {
    use std::io::Write;
    // Folders as `dxpx check` reads them; a file that cannot be read is reported below.
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        match super::check::collect(
            std::slice::from_ref(path),
            &crate::config::Config::default(),
        ) {
            Ok(found) => files.extend(found),
            Err(e) => {
                eprintln!("dxpx: {e}");
                return std::process::ExitCode::from(super::EXIT_USAGE);
            }
        }
    }
    let paths = files;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut report = Vec::new();
    let progress = Progress::new(
        paths.len(),
        "read",
        std::io::IsTerminal::is_terminal(&std::io::stdout()),
    );
    for (n, path) in paths.iter().enumerate() {
        progress.done(n + 1);
        match read_document(path) {
            Ok(text) => {
                report.clear();
                match crate::fault::catch(|| each(&mut report, path, &text)) {
                    Ok(()) => {
                        let _ = out.write_all(&report);
                    }
                    Err(fault) => {
                        eprintln!(
                            "dxpx: {}: {fault}; skipped, the others go on",
                            path.display()
                        );
                        failed = true;
                    }
                }
            }
            Err(e) => {
                eprintln!("dxpx: {e}");
                failed = true;
            }
        }
    }
    progress.finish();
    if failed {
        std::process::ExitCode::from(super::EXIT_USAGE)
    } else {
        std::process::ExitCode::SUCCESS
    }
}

/// Files done of a long run (200 files or more), rewritten in place on a terminal's stderr;
/// nothing in CI, in a pipe, or where the report itself is streaming to the terminal.
pub struct Progress {
    total: usize,
    verb: &'static str,
    shown: bool,
}

impl Progress {
    pub const FROM_FILES: usize = 200;

    pub fn new(total: usize, verb: &'static str, report_streams_to_terminal: bool) -> Progress {
        use std::io::IsTerminal;
        Progress {
            total,
            verb,
            shown: total >= Progress::FROM_FILES
                && !report_streams_to_terminal
                && std::io::stderr().is_terminal()
                && std::env::var_os("CI").is_none(),
        }
    }

    pub fn done(&self, n: usize) {
        if self.shown && (n % 50 == 0 || n == self.total) {
            eprint!("\r[{n}/{}] files {}", self.total, self.verb);
        }
    }

    pub fn finish(&self) {
        if self.shown {
            eprintln!();
        }
    }
}

/// Line starts of a text, to turn byte offsets into 0-based lines and UTF-16 columns.
pub struct Position {
    line_starts: Vec<usize>,
}

impl Position {
    /// Lines end at `\n`, `\r\n` or a lone `\r`, as LSP counts them (and HL7 v2 ends its
    /// segments with a carriage return alone).
    pub fn index(text: &str) -> Position {
        let b = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(
            memchr::memchr2_iter(b'\n', b'\r', b)
                .filter(|&i| !(b[i] == b'\r' && b.get(i + 1) == Some(&b'\n')))
                .map(|i| i + 1),
        );
        Position { line_starts }
    }

    /// Where the line holding `offset` ends, before its line break.
    pub fn line_end(&self, text: &str, offset: usize) -> usize {
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let next = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(text.len());
        let mut end = next;
        while end > self.line_starts[line] && matches!(text.as_bytes()[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        end.max(offset.min(next))
    }

    /// (line, UTF-16 column) of a byte offset.
    pub fn utf16(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let col = text[self.line_starts[line]..offset].encode_utf16().count();
        (line, col)
    }

    /// (line, byte column) of a byte offset.
    pub fn bytes(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        (line, offset - self.line_starts[line])
    }
}
