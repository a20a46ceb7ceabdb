//! A small JSON reader that keeps the byte range of every string, so a code in a FHIR
//! resource can be underlined where it stands. Depth is bounded; errors name the byte.

#[derive(Debug, Clone)]
pub enum Json {
    Object(Vec<(String, Json)>),
    Array(Vec<Json>),
    /// The decoded string and the byte range of its contents (inside the quotes).
    String(String, usize, usize),
    Number(f64),
    Other,
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn items(&self) -> &[Json] {
        match self {
            Json::Array(items) => items,
            _ => &[],
        }
    }

    pub fn str(&self) -> Option<&str> {
        match self {
            Json::String(s, _, _) => Some(s),
            _ => None,
        }
    }

    pub fn number(&self) -> Option<f64> {
        match self {
            Json::Number(n) => Some(*n),
            _ => None,
        }
    }
}

const MAX_DEPTH: usize = 128;

/// Parses `text`; on error, the byte offset where it breaks and what was expected.
pub fn parse(text: &str) -> Result<Json, (usize, String)> {
    let mut p = Parser {
        b: text.as_bytes(),
        text,
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.b.len() {
        return Err((p.i, "unexpected text after the JSON value".into()));
    }
    Ok(v)
}

struct Parser<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn err<T>(&self, what: &str) -> Result<T, (usize, String)> {
        Err((self.i.min(self.b.len()), what.to_string()))
    }

    fn value(&mut self, depth: usize) -> Result<Json, (usize, String)> {
        if depth > MAX_DEPTH {
            return self.err("JSON nested too deeply");
        }
        match self.b.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Object(fields));
                }
                loop {
                    self.ws();
                    let Json::String(key, _, _) = self.string()? else {
                        unreachable!()
                    };
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return self.err("expected ':' after an object key");
                    }
                    self.i += 1;
                    self.ws();
                    let v = self.value(depth + 1)?;
                    fields.push((key, v));
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Object(fields));
                        }
                        _ => return self.err("expected ',' or '}' in an object"),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return self.err("expected ',' or ']' in an array"),
                    }
                }
            }
            Some(b'"') => self.string(),
            Some(b't') if self.b[self.i..].starts_with(b"true") => {
                self.i += 4;
                Ok(Json::Other)
            }
            Some(b'f') if self.b[self.i..].starts_with(b"false") => {
                self.i += 5;
                Ok(Json::Other)
            }
            Some(b'n') if self.b[self.i..].starts_with(b"null") => {
                self.i += 4;
                Ok(Json::Other)
            }
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                let s = self.i;
                while self.i < self.b.len()
                    && matches!(
                        self.b[self.i],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.i += 1;
                }
                self.text[s..self.i]
                    .parse()
                    .map(Json::Number)
                    .map_err(|_| (s, "not a number".into()))
            }
            Some(_) => self.err("expected a JSON value"),
            None => self.err("the JSON ends too early"),
        }
    }

    fn string(&mut self) -> Result<Json, (usize, String)> {
        if self.b.get(self.i) != Some(&b'"') {
            return self.err("expected a string");
        }
        self.i += 1;
        let start = self.i;
        let mut escaped = false;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => {
                    escaped = true;
                    self.i += 2;
                }
                b'"' => break,
                _ => self.i += 1,
            }
        }
        if self.i >= self.b.len() {
            return Err((start.saturating_sub(1), "a string is not closed".into()));
        }
        let end = self.i;
        self.i += 1;
        let raw = &self.text[start..end];
        let value = if escaped {
            serde_json::from_str::<String>(&self.text[start - 1..end + 1])
                .map_err(|_| (start, "a bad escape in a string".to_string()))?
        } else {
            raw.to_string()
        };
        Ok(Json::String(value, start, end))
    }
}
