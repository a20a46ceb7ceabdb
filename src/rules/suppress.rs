//! Inline suppressions: `dxpx-ignore: retired-code reason="historic record"` on the line
//! of a finding or the line above it. A suppression needs a reason; the audit trail
//! (`dxpx check --suppressions`) lists them all.

use super::{Finding, Fix, Replace};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Byte range of the comment.
    pub start: usize,
    pub end: usize,
    /// Rule names; empty means every rule.
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// Byte range of the line it sits on.
    line_start: usize,
    line_end: usize,
}

const MARK: &str = "dxpx-ignore";

pub fn find(text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(text.as_bytes(), MARK) {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let rest = &text[at + MARK.len()..line_end];
        let rest = rest.strip_prefix(':').unwrap_or(rest);
        let (rules_part, reason) = match rest.find("reason=") {
            Some(i) => {
                let r = rest[i + 7..].trim();
                let r = r
                    .strip_prefix('"')
                    .and_then(|r| r.split_once('"').map(|x| x.0))
                    .unwrap_or(r);
                (
                    &rest[..i],
                    (!r.trim().is_empty()).then(|| r.trim().to_string()),
                )
            }
            None => (rest, None),
        };
        let rules = rules_part
            .split([',', ' '])
            .map(|r| r.trim().trim_start_matches("dxpx/"))
            .filter(|r| {
                !r.is_empty()
                    && r.bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit())
            })
            .map(str::to_string)
            .collect();
        let end = at + MARK.len() + text[at + MARK.len()..line_end].trim_end().len();
        out.push(Suppression {
            start: at,
            end,
            rules,
            reason,
            line_start,
            line_end,
        });
    }
    out
}

impl Suppression {
    /// Where `name` is written in the comment (after `dxpx/`, if that is written too).
    pub fn rule_span(&self, text: &str, name: &str) -> Option<(usize, usize)> {
        let comment = &text[self.start..self.end];
        let mut from = 0;
        while let Some(i) = comment[from..].find(name) {
            let at = from + i;
            let before = comment[..at].chars().next_back();
            let after = comment[at + name.len()..].chars().next();
            let bounded =
                |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-'));
            if bounded(before) && bounded(after) {
                return Some((self.start + at, self.start + at + name.len()));
            }
            from = at + name.len();
        }
        None
    }

    /// Whether this suppression silences `finding`: same line or the line below, and the
    /// rule named (or no rule named). A suppression with no reason silences nothing.
    pub fn covers(&self, text: &str, finding: &Finding) -> bool {
        if self.reason.is_none() {
            return false;
        }
        let next_end = text[self.line_end.min(text.len())..]
            .get(1..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| self.line_end + 1 + i);
        let on_line = finding.start >= self.line_start && finding.start <= next_end;
        on_line && (self.rules.is_empty() || self.rules.iter().any(|r| r == finding.rule.name()))
    }
}

/// What a reason is left as when dxpx writes the comment: empty, so that
/// `suppression-without-reason` asks for it until the coder writes one.
const NO_REASON_YET: &str = "reason=\"\"";

/// A fix that silences `finding` with a `dxpx-ignore` on a line of its own above the
/// finding's, indented like it, its reason left for the coder to write. For notes only: a
/// line added to a claim or a sheet would break its format.
pub fn fix(text: &str, finding: &Finding) -> Fix {
    let line_start = text[..finding.start].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = match text[line_start..].find('\n') {
        Some(i) if text[..line_start + i].ends_with('\r') => "\r\n",
        _ => "\n",
    };
    let rule = finding.rule.name();
    Fix {
        title: format!("Suppress {rule} here, with a reason"),
        edits: vec![Replace {
            start: line_start,
            end: line_start,
            text: format!("{indent}{MARK}: {rule} {NO_REASON_YET}{newline}"),
        }],
        preferred: false,
        safe: false,
        code: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_name_is_found_where_it_is_written_not_inside_other_words() {
        let text = "x\n# dxpx-ignore: dxpx/ignore, retired-cod reason=\"retired-cod typo\"\n";
        let s = &find(text)[0];
        assert_eq!(s.rules, ["ignore", "retired-cod"]);
        let (start, end) = s.rule_span(text, "retired-cod").unwrap();
        assert_eq!(&text[start..end], "retired-cod");
        assert!(
            text[..start].ends_with("ignore, "),
            "the first one, in the rule list"
        );
        let (start, _) = s.rule_span(text, "ignore").unwrap();
        assert!(
            text[..start].ends_with("dxpx/"),
            "not the ignore of dxpx-ignore"
        );
    }
}
