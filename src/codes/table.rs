//! A read-only table of tab-separated rows sorted by their first field.
//!
//! The code sets are large (about 250,000 rows in all) and read far more often than they
//! change, so each one stays as a single text buffer with an index of row starts, and a
//! lookup is a binary search with no allocation. The embedded tables are read in place
//! from the binary (both the text and its index are built with it, by `build.rs`): only
//! the rows a lookup compares are ever paged in. A user's table is indexed once, on load.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Range;

#[derive(Debug, Default)]
pub struct Table {
    text: Cow<'static, str>,
    /// Each row's byte offset, as little-endian u32s (the layout `build.rs` writes).
    starts: Cow<'static, [u8]>,
    /// Each row's key, padded with zero bytes to `width`: the searches read these alone,
    /// and a row's text only once it is found.
    keys: Cow<'static, [u8]>,
    width: usize,
}

/// One row of a [`Table`]: its fields, split on tabs.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub index: usize,
    line: &'a str,
}

impl<'a> Row<'a> {
    pub fn key(&self) -> &'a str {
        match memchr::memchr(b'\t', self.line.as_bytes()) {
            Some(i) => &self.line[..i],
            None => self.line,
        }
    }

    /// The `n`th tab-separated field, or "" when the row has fewer fields.
    /// Field `n` as a comma-separated list, empty items dropped (a code's edit flags).
    pub fn list(&self, n: usize) -> Vec<&'a str> {
        self.field(n).split(',').filter(|f| !f.is_empty()).collect()
    }

    pub fn field(&self, n: usize) -> &'a str {
        self.line.split('\t').nth(n).unwrap_or("")
    }

    pub fn fields(&self) -> impl Iterator<Item = &'a str> {
        self.line.split('\t')
    }
}

/// A key being searched for, with the number its first bytes make (see `Table::key_cmp_with`).
struct Probe<'a> {
    key: &'a [u8],
    head: u128,
}

impl Probe<'_> {
    fn new(key: &str) -> Probe<'_> {
        Probe {
            key: key.as_bytes(),
            head: head(key.as_bytes()),
        }
    }
}

/// The first 16 bytes, zero-padded, as a big-endian number.
fn head(bytes: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    let n = bytes.len().min(16);
    b[..n].copy_from_slice(&bytes[..n]);
    u128::from_be_bytes(b)
}

/// A table whose rows are not sorted by key cannot be searched; the error names the row.
#[derive(Debug, PartialEq, Eq)]
pub struct UnsortedRow {
    pub line: usize,
}

impl Table {
    /// Indexes `text`, which must hold rows sorted bytewise by their first field.
    /// A trailing newline is optional; empty lines are not allowed.
    pub fn new(text: String) -> Result<Table, UnsortedRow> {
        let table = Table::new_unchecked(text)?;
        for i in 1..table.len() {
            if table.row(i - 1).key() > table.row(i).key() {
                return Err(UnsortedRow { line: i + 1 });
            }
        }
        Ok(table)
    }

    /// Indexes rows known to be sorted: the embedded tables, which the test suite checks
    /// with [`Table::new`] on every build.
    pub fn new_unchecked(text: String) -> Result<Table, UnsortedRow> {
        if text.len() > u32::MAX as usize {
            return Err(UnsortedRow { line: 0 });
        }
        let (starts, keys, width) = super::layout::index(text.as_bytes());
        Ok(Table {
            text: Cow::Owned(text),
            starts: Cow::Owned(starts),
            keys: Cow::Owned(keys),
            width,
        })
    }

    /// A table compiled into the binary with its index (see `build.rs`), read in place.
    /// `None` when the index's size does not fit (a broken build). Reading even one start
    /// here would page in its neighbours for every table; the test suite checks every row,
    /// on every build (`embedded_tables_are_indexed_as_they_are_read`).
    pub fn embedded(
        text: &'static str,
        starts: &'static [u8],
        keys: &'static [u8],
    ) -> Option<Table> {
        let rows = starts.len() / 4;
        let width = keys.len().checked_div(rows).unwrap_or(1);
        let table = Table {
            text: Cow::Borrowed(text),
            starts: Cow::Borrowed(starts),
            keys: Cow::Borrowed(keys),
            width,
        };
        let fits =
            starts.len() % 4 == 0 && width > 0 && keys.len() == rows * width && text.len() >= rows;
        fits.then_some(table)
    }

    /// Whether this table's index is the one its text makes.
    #[cfg(test)]
    pub fn is_indexed_correctly(&self) -> bool {
        Table::new_unchecked(self.text.to_string())
            .is_ok_and(|t| t.starts == self.starts && t.keys == self.keys && t.width == self.width)
    }

    pub fn len(&self) -> usize {
        self.starts.len() / 4
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    fn start(&self, index: usize) -> usize {
        let b = &self.starts[index * 4..index * 4 + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
    }

    pub fn row(&self, index: usize) -> Row<'_> {
        let start = self.start(index);
        let end = if index + 1 < self.len() {
            self.start(index + 1)
        } else {
            self.text.len()
        };
        let line = self.text[start..end].trim_end_matches(['\n', '\r']);
        Row { index, line }
    }

    fn key_of(&self, index: usize) -> &[u8] {
        let padded = &self.keys[index * self.width..(index + 1) * self.width];
        &padded[..memchr::memchr(0, padded).unwrap_or(self.width)]
    }

    /// Row `index`'s key against `key`, from the keys alone.
    fn key_cmp(&self, index: usize, key: &str) -> Ordering {
        self.key_cmp_with(index, &Probe::new(key))
    }

    /// Keys are codes of at most a few bytes: their first 16, zero-padded and read as one
    /// big-endian number, order as the keys do (no key holds a zero byte), so most steps
    /// of a search are one comparison of two numbers.
    fn key_cmp_with(&self, index: usize, probe: &Probe<'_>) -> Ordering {
        let record = &self.keys[index * self.width..(index + 1) * self.width];
        match head(record).cmp(&probe.head) {
            Ordering::Equal if self.width > 16 || probe.key.len() > 16 => {
                self.key_of(index).cmp(probe.key)
            }
            order => order,
        }
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len()).map(|i| self.row(i))
    }

    /// The first row whose key equals `key`.
    pub fn get(&self, key: &str) -> Option<Row<'_>> {
        let i = self.lower_bound(key);
        (i < self.len() && self.key_cmp(i, key).is_eq()).then(|| self.row(i))
    }

    /// Every row whose key equals `key` (tables such as notes repeat a key).
    pub fn all(&self, key: &str) -> impl Iterator<Item = Row<'_>> {
        let start = self.lower_bound(key);
        (start..self.len())
            .take_while(move |&i| self.key_cmp(i, key).is_eq())
            .map(|i| self.row(i))
    }

    /// The rows whose key starts with `prefix`, as an index range.
    pub fn prefix_range(&self, prefix: &str) -> Range<usize> {
        let start = self.lower_bound(prefix);
        let mut end = start;
        // Binary search for the first key that no longer has the prefix.
        let (mut lo, mut hi) = (start, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.key_of(mid).starts_with(prefix.as_bytes()) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if lo > end {
            end = lo;
        }
        start..end
    }

    fn lower_bound(&self, key: &str) -> usize {
        let probe = Probe::new(key);
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.key_cmp_with(mid, &probe).is_lt() {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Bytes on the heap: none for an embedded table.
    pub fn heap_bytes(&self) -> usize {
        let owned = |c: &Cow<'_, [u8]>| match c {
            Cow::Owned(v) => v.capacity(),
            Cow::Borrowed(_) => 0,
        };
        let text = match &self.text {
            Cow::Owned(s) => s.capacity(),
            Cow::Borrowed(_) => 0,
        };
        text + owned(&self.starts) + owned(&self.keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(s: &str) -> Table {
        Table::new(s.to_string()).unwrap()
    }

    #[test]
    fn finds_rows_and_prefixes() {
        let t = table("E11\tx\nE11.6\ty\nE11.65\tz\nE11.9\tw\nE12\tv\n");
        assert_eq!(t.get("E11.9").unwrap().field(1), "w");
        assert!(t.get("E11.8").is_none());
        assert_eq!(t.prefix_range("E11."), 1..4);
        assert_eq!(t.prefix_range("F"), 5..5);
    }

    #[test]
    fn keys_longer_than_the_compared_head_still_order() {
        let long = "ABCDEFGHIJKLMNOP";
        let t = table(&format!("{long}\t1\n{long}Q\t2\n{long}R\t3\nB\t4\n"));
        assert_eq!(t.get(&format!("{long}Q")).unwrap().field(1), "2");
        assert_eq!(t.get(long).unwrap().field(1), "1");
        assert!(t.get(&format!("{long}P")).is_none());
        assert_eq!(t.prefix_range(long), 0..3);
        assert_eq!(t.get("B").unwrap().field(1), "4");
        // A probe longer than every key.
        assert!(table("A\t1\nB\t2\n").get(long).is_none());
    }

    #[test]
    fn repeated_keys_and_missing_fields() {
        let t = table("A\t1\nA\t2\nB");
        assert_eq!(
            t.all("A").map(|r| r.field(1)).collect::<Vec<_>>(),
            ["1", "2"]
        );
        assert_eq!(t.get("B").unwrap().field(3), "");
    }

    #[test]
    fn rejects_unsorted_rows_naming_the_line() {
        assert_eq!(
            Table::new("B\nA\n".into()).unwrap_err(),
            UnsortedRow { line: 2 }
        );
    }
}
