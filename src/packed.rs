//! The byte layout of the indexes `dxpx data build` makes once and the binary embeds (the
//! hints' phrase index, the word-search index): a magic tag, then sections of
//! little-endian numbers or UTF-8 text, each preceded by its length. The embedded ones are
//! read in place: loading one parses nothing and allocates nothing per word or phrase.

use std::borrow::Cow;

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
        Strings::from_iter(items).write(self);
    }

    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// Reads the sections in the order they were written. An index compiled into the binary
/// is read in place (each section borrows its bytes, so only what a lookup touches is ever
/// paged in); one made at run time is copied section by section.
pub struct Reader {
    bytes: Cow<'static, [u8]>,
    at: usize,
}

impl Reader {
    pub fn new(bytes: Cow<'static, [u8]>, magic: &[u8; 8]) -> Result<Reader, Malformed> {
        if bytes.starts_with(magic) {
            Ok(Reader { bytes, at: 8 })
        } else {
            Err(Malformed("not this kind of index".into()))
        }
    }

    fn section(&mut self, width: usize) -> Result<Cow<'static, [u8]>, Malformed> {
        let short = || Malformed("truncated".into());
        let rest = &self.bytes[self.at..];
        let (len, rest) = rest.split_first_chunk::<4>().ok_or_else(short)?;
        let len = u32::from_le_bytes(*len) as usize;
        if len % width != 0 || rest.len() < len {
            return Err(short());
        }
        let start = self.at + 4;
        self.at = start + len;
        Ok(match &self.bytes {
            Cow::Borrowed(b) => Cow::Borrowed(&b[start..start + len]),
            Cow::Owned(v) => Cow::Owned(v[start..start + len].to_vec()),
        })
    }

    pub fn u32s(&mut self) -> Result<U32s, Malformed> {
        self.section(4).map(U32s)
    }

    pub fn u16s(&mut self) -> Result<U16s, Malformed> {
        self.section(2).map(U16s)
    }

    pub fn bytes(&mut self) -> Result<Cow<'static, [u8]>, Malformed> {
        self.section(1)
    }

    pub fn text(&mut self) -> Result<Cow<'static, str>, Malformed> {
        let utf8 = |e: std::str::Utf8Error| Malformed(e.to_string());
        Ok(match self.bytes()? {
            Cow::Borrowed(b) => Cow::Borrowed(std::str::from_utf8(b).map_err(utf8)?),
            Cow::Owned(v) => Cow::Owned(String::from_utf8(v).map_err(|e| utf8(e.utf8_error()))?),
        })
    }

    /// Strings, unchecked: a string whose bounds are wrong reads as "" (see
    /// [`Strings::get`]), so loading them pages in nothing.
    pub fn strings(&mut self) -> Result<Strings, Malformed> {
        let text = self.text()?;
        let ends = self.u32s()?;
        Ok(Strings { text, ends })
    }

    /// Every section was read: a longer index is another version's.
    pub fn end(self) -> Result<(), Malformed> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(Malformed("trailing sections".into()))
        }
    }
}

macro_rules! numbers {
    ($name:ident, $t:ty, $width:literal) => {
        /// Little-endian numbers: borrowed from an index's bytes, or owned.
        #[derive(Debug, Default, Clone, PartialEq, Eq)]
        pub struct $name(Cow<'static, [u8]>);

        impl $name {
            pub fn len(&self) -> usize {
                self.0.len() / $width
            }

            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }

            pub fn get(&self, i: usize) -> Option<$t> {
                let b = self.0.get(i * $width..i * $width + $width)?;
                Some(<$t>::from_le_bytes(b.try_into().ok()?))
            }

            /// Item `i`; past the end is a broken index, and panics like a slice would.
            pub fn at(&self, i: usize) -> $t {
                let b = &self.0[i * $width..i * $width + $width];
                <$t>::from_le_bytes(b.try_into().expect("width"))
            }

            pub fn last(&self) -> Option<$t> {
                self.len().checked_sub(1).map(|i| self.at(i))
            }

            pub fn iter(&self) -> impl ExactSizeIterator<Item = $t> + '_ {
                self.0
                    .chunks_exact($width)
                    .map(|c| <$t>::from_le_bytes(c.try_into().expect("width")))
            }

            /// Items `range`, clamped to what exists.
            pub fn range(
                &self,
                range: std::ops::Range<usize>,
            ) -> impl ExactSizeIterator<Item = $t> + '_ {
                let end = range.end.min(self.len());
                let start = range.start.min(end);
                self.0[start * $width..end * $width]
                    .chunks_exact($width)
                    .map(|c| <$t>::from_le_bytes(c.try_into().expect("width")))
            }

            pub fn heap_bytes(&self) -> usize {
                match &self.0 {
                    Cow::Owned(v) => v.capacity(),
                    Cow::Borrowed(_) => 0,
                }
            }
        }

        impl FromIterator<$t> for $name {
            fn from_iter<I: IntoIterator<Item = $t>>(items: I) -> $name {
                $name(Cow::Owned(
                    items.into_iter().flat_map(<$t>::to_le_bytes).collect(),
                ))
            }
        }
    };
}

numbers!(U32s, u32, 4);
numbers!(U16s, u16, 2);

/// Many short strings in one text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Strings {
    text: Cow<'static, str>,
    ends: U32s,
}

impl<'a> FromIterator<&'a str> for Strings {
    fn from_iter<I: IntoIterator<Item = &'a str>>(items: I) -> Strings {
        let mut text = String::new();
        let mut ends = Vec::new();
        for item in items {
            text.push_str(item);
            ends.push(text.len() as u32);
        }
        Strings {
            text: Cow::Owned(text),
            ends: ends.into_iter().collect(),
        }
    }
}

impl Strings {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `i`th string; "" past the end (or where a damaged index's bounds are wrong).
    pub fn get(&self, i: usize) -> &str {
        let start = match i {
            0 => Some(0),
            _ => self.ends.get(i - 1),
        };
        match (start, self.ends.get(i)) {
            (Some(s), Some(e)) => self.text.get(s as usize..e as usize).unwrap_or(""),
            _ => "",
        }
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
        w.u32s(&self.ends.iter().collect::<Vec<u32>>());
    }

    pub fn heap_bytes(&self) -> usize {
        let text = match &self.text {
            Cow::Owned(s) => s.capacity(),
            Cow::Borrowed(_) => 0,
        };
        text + self.ends.heap_bytes()
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
        let mut r = Reader::new(bytes.clone().into(), b"TESTIDX1").unwrap();
        assert_eq!(r.u32s().unwrap().iter().collect::<Vec<_>>(), [1, u32::MAX]);
        assert_eq!(r.u16s().unwrap().iter().collect::<Vec<_>>(), [7]);
        let s = r.strings().unwrap();
        assert_eq!(s.iter().collect::<Vec<_>>(), ["ab", "", "é"]);
        assert_eq!(s.get(3), "");
        r.end().unwrap();
        assert!(Reader::new(bytes.clone().into(), b"OTHERIDX").is_err());
        let mut r = Reader::new(bytes[..bytes.len() - 1].to_vec().into(), b"TESTIDX1").unwrap();
        assert!(r.u32s().is_ok() && r.u16s().is_ok());
        assert!(r.strings().is_err());
    }
}
