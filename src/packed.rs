//! The byte layout of the indexes `dxpx data build` makes once and the binary embeds (the
//! hints' phrase index, the word-search index): a magic tag, then sections of
//! little-endian numbers or UTF-8 text, each preceded by its length. Loading one is a copy
//! per section — no parsing per entry, no allocation per word or phrase.

/// What a packed index could not be read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed index: {}", self.0)
    }
}

impl std::error::Error for Malformed {}

#[derive(Debug, Default)]
pub struct Writer {
    out: Vec<u8>,
}

impl Writer {
    pub fn new(magic: &[u8; 8]) -> Writer {
        Writer {
            out: magic.to_vec(),
        }
    }

    fn section(&mut self, bytes: impl IntoIterator<Item = u8>, len: usize) {
        self.out.extend_from_slice(&(len as u32).to_le_bytes());
        let before = self.out.len();
        self.out.extend(bytes);
        debug_assert_eq!(self.out.len() - before, len);
    }

    pub fn u32s(&mut self, values: &[u32]) {
        self.section(
            values.iter().flat_map(|v| v.to_le_bytes()),
            values.len() * 4,
        );
    }

    pub fn u16s(&mut self, values: &[u16]) {
        self.section(
            values.iter().flat_map(|v| v.to_le_bytes()),
            values.len() * 2,
        );
    }

    pub fn bytes(&mut self, values: &[u8]) {
        self.section(values.iter().copied(), values.len());
    }

    pub fn text(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    /// Strings as one text and the end of each in it (see [`Strings`]).
    pub fn strings<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) {
        let mut text = String::new();
        let mut ends = Vec::new();
        for s in items {
            text.push_str(s);
            ends.push(text.len() as u32);
        }
        self.text(&text);
        self.u32s(&ends);
    }

    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// Reads the sections in the order they were written.
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], magic: &[u8; 8]) -> Result<Reader<'a>, Malformed> {
        match bytes.strip_prefix(magic) {
            Some(rest) => Ok(Reader { rest }),
            None => Err(Malformed("not this kind of index".into())),
        }
    }

    fn section(&mut self, width: usize) -> Result<&'a [u8], Malformed> {
        let short = || Malformed("truncated".into());
        let (len, rest) = self.rest.split_first_chunk::<4>().ok_or_else(short)?;
        let len = u32::from_le_bytes(*len) as usize;
        if len % width != 0 || rest.len() < len {
            return Err(short());
        }
        let (section, rest) = rest.split_at(len);
        self.rest = rest;
        Ok(section)
    }

    pub fn u32s(&mut self) -> Result<Vec<u32>, Malformed> {
        Ok(self
            .section(4)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    pub fn u16s(&mut self) -> Result<Vec<u16>, Malformed> {
        Ok(self
            .section(2)?
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect())
    }

    pub fn bytes(&mut self) -> Result<Vec<u8>, Malformed> {
        Ok(self.section(1)?.to_vec())
    }

    pub fn text(&mut self) -> Result<String, Malformed> {
        String::from_utf8(self.bytes()?).map_err(|e| Malformed(e.to_string()))
    }

    pub fn strings(&mut self) -> Result<Strings, Malformed> {
        let text = self.text()?;
        let ends = self.u32s()?;
        let mut at = 0;
        for &end in &ends {
            let end = end as usize;
            if end < at || !text.is_char_boundary(end) {
                return Err(Malformed("string bounds".into()));
            }
            at = end;
        }
        Ok(Strings { text, ends })
    }

    /// Every section was read: a longer index is another version's.
    pub fn end(self) -> Result<(), Malformed> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Malformed("trailing sections".into()))
        }
    }
}

/// Many short strings in one allocation.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl<'a> FromIterator<&'a str> for Strings {
    fn from_iter<I: IntoIterator<Item = &'a str>>(items: I) -> Strings {
        let mut s = Strings::default();
        for item in items {
            s.text.push_str(item);
            s.ends.push(s.text.len() as u32);
        }
        s
    }
}

impl Strings {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `i`th string; "" past the end.
    pub fn get(&self, i: usize) -> &str {
        let start = match i {
            0 => 0,
            _ => self.ends.get(i - 1).map_or(usize::MAX, |&e| e as usize),
        };
        let end = self.ends.get(i).map_or(0, |&e| e as usize);
        self.text.get(start..end).unwrap_or("")
    }

    /// The first index whose string `before` is false for (the strings sorted by it).
    pub fn partition_point(&self, before: impl Fn(&str) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if before(self.get(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    pub fn write(&self, w: &mut Writer) {
        w.text(&self.text);
        w.u32s(&self.ends);
    }

    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_was_written_and_rejects_the_rest() {
        let mut w = Writer::new(b"TESTIDX1");
        w.u32s(&[1, u32::MAX]);
        w.u16s(&[7]);
        w.strings(["ab", "", "é"]);
        let bytes = w.finish();
        let mut r = Reader::new(&bytes, b"TESTIDX1").unwrap();
        assert_eq!(r.u32s().unwrap(), [1, u32::MAX]);
        assert_eq!(r.u16s().unwrap(), [7]);
        let s = r.strings().unwrap();
        assert_eq!(s.iter().collect::<Vec<_>>(), ["ab", "", "é"]);
        assert_eq!(s.get(3), "");
        r.end().unwrap();
        assert!(Reader::new(&bytes, b"OTHERIDX").is_err());
        let mut r = Reader::new(&bytes[..bytes.len() - 1], b"TESTIDX1").unwrap();
        assert!(r.u32s().is_ok() && r.u16s().is_ok());
        assert!(r.strings().is_err());
    }
}
