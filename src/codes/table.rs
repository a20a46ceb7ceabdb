//! A read-only table of tab-separated rows sorted by their first field.
//!
//! The code sets are large (about 250,000 rows in all) and read far more often than they
//! change, so each one stays as a single text buffer with an index of row starts: loading
//! is one pass over the bytes, and a lookup is a binary search with no allocation.

use std::ops::Range;

#[derive(Debug, Default)]
pub struct Table {
    text: String,
    starts: Vec<u32>,
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
        let mut starts = Vec::with_capacity(text.len() / 48);
        let bytes = text.as_bytes();
        let mut pos = 0usize;
        while pos < bytes.len() {
            starts.push(pos as u32);
            pos = match memchr::memchr(b'\n', &bytes[pos..]) {
                Some(i) => pos + i + 1,
                None => bytes.len(),
            };
        }
        Ok(Table { text, starts })
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    pub fn row(&self, index: usize) -> Row<'_> {
        let start = self.starts[index] as usize;
        let end = self
            .starts
            .get(index + 1)
            .map_or(self.text.len(), |&e| e as usize);
        let line = self.text[start..end].trim_end_matches(['\n', '\r']);
        Row { index, line }
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len()).map(|i| self.row(i))
    }

    /// The first row whose key equals `key`.
    pub fn get(&self, key: &str) -> Option<Row<'_>> {
        let i = self.lower_bound(key);
        (i < self.len() && self.row(i).key() == key).then(|| self.row(i))
    }

    /// Every row whose key equals `key` (tables such as notes repeat a key).
    pub fn all(&self, key: &str) -> impl Iterator<Item = Row<'_>> {
        let start = self.lower_bound(key);
        (start..self.len())
            .map(|i| self.row(i))
            .take_while(move |r| r.key() == key)
    }

    /// The rows whose key starts with `prefix`, as an index range.
    pub fn prefix_range(&self, prefix: &str) -> Range<usize> {
        let start = self.lower_bound(prefix);
        let mut end = start;
        // Binary search for the first key that no longer has the prefix.
        let (mut lo, mut hi) = (start, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.row(mid).key().starts_with(prefix) {
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
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.row(mid).key() < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.starts.capacity() * 4
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
