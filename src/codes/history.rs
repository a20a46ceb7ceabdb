//! When a code was valid: calendar days, the windows of a code's history as the tables store
//! them, and the release in force on a day. Built from the Medicare Code Editor's validity
//! windows (back to FY2016) by `dxpx data build`; read by every lookup that has a date.

use std::fmt;

/// A calendar day, ordered, stored as the number YYYYMMDD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(u32);

impl Day {
    /// The first day of service coded in ICD-10 in the United States.
    pub const ICD10: Day = Day(20151001);

    pub fn new(year: u32, month: u32, day: u32) -> Option<Day> {
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
            2 => 28,
            _ => return None,
        };
        ((1900..=2999).contains(&year) && (1..=days_in_month).contains(&day))
            .then_some(Day(year * 10_000 + month * 100 + day))
    }

    /// `2026-10-01` or `20261001`.
    pub fn parse(text: &str) -> Option<Day> {
        let t = text.trim();
        let digits: String = match t.len() {
            10 if t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' => {
                t.chars().filter(|&c| c != '-').collect()
            }
            8 => t.to_string(),
            _ => return None,
        };
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = digits.parse().ok()?;
        Day::new(n / 10_000, n / 100 % 100, n % 100)
    }

    /// Today, by the system clock (UTC).
    pub fn today() -> Day {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Day::from_days((secs / 86_400) as i64)
    }

    pub fn year(self) -> u32 {
        self.0 / 10_000
    }

    pub fn month(self) -> u32 {
        self.0 / 100 % 100
    }

    pub fn day_of_month(self) -> u32 {
        self.0 % 100
    }

    /// Whole years from `born` to this day (an age), or `None` when `born` comes after it.
    pub fn years_since(self, born: Day) -> Option<u32> {
        if born > self {
            return None;
        }
        let birthday_passed =
            (self.month(), self.day_of_month()) >= (born.month(), born.day_of_month());
        Some(self.year() - born.year() - u32::from(!birthday_passed))
    }

    /// The US federal fiscal year: FY2027 runs from 2026-10-01 to 2027-09-30.
    pub fn fiscal_year(self) -> u32 {
        self.year() + u32::from(self.month() >= 10)
    }

    /// The day before (an end date from the first day a code is no longer valid).
    pub fn pred(self) -> Day {
        Day::from_days(self.days() - 1)
    }

    pub fn succ(self) -> Day {
        Day::from_days(self.days() + 1)
    }

    /// Days since 1970-01-01 (the civil-calendar algorithm of H. Hinnant).
    fn days(self) -> i64 {
        let (y, m, d) = (
            self.year() as i64,
            self.month() as i64,
            (self.0 % 100) as i64,
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    fn from_days(z: i64) -> Day {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Day((y as u32) * 10_000 + (m as u32) * 100 + d as u32)
    }

    /// `20261001`, as the tables store it.
    pub fn compact(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.0 % 100
        )
    }
}

/// What a code was during one window of its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A code that can be billed.
    Billable,
    /// A category or subcategory: its more specific codes are what is billed.
    Header,
}

/// One window of a code's history: its role from `from` to `to` (inclusive; open when
/// `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub role: Role,
    pub from: Day,
    pub to: Option<Day>,
}

impl Window {
    pub fn contains(&self, day: Day) -> bool {
        self.from <= day && self.to.is_none_or(|t| day <= t)
    }
}

/// What a code was on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    Billable,
    Header,
    /// Not valid yet: it becomes valid on this day.
    NotYet(Day),
    /// No longer valid: this was its last valid day.
    Ended(Day),
    /// In no release dxpx has.
    Unknown,
}

/// A code's windows, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History(pub Vec<Window>);

impl History {
    /// Reads the table column: windows like `b20151001-20260930 h20261001-`. An empty column is
    /// the common case, a code unchanged since ICD-10 began, in the role `today` says.
    pub fn parse(column: &str, today: Role) -> History {
        if column.is_empty() {
            return History(vec![Window {
                role: today,
                from: Day::ICD10,
                to: None,
            }]);
        }
        History(
            column
                .split(' ')
                .filter_map(|w| {
                    let role = match w.as_bytes().first()? {
                        b'b' => Role::Billable,
                        b'h' => Role::Header,
                        _ => return None,
                    };
                    let (from, to) = w[1..].split_once('-')?;
                    Some(Window {
                        role,
                        from: Day::parse(from)?,
                        to: if to.is_empty() {
                            None
                        } else {
                            Some(Day::parse(to)?)
                        },
                    })
                })
                .collect(),
        )
    }

    /// The table column for these windows; empty when they are one open window since ICD-10
    /// began in the role `today`.
    pub fn encode(&self, today: Role) -> String {
        if self.0.len() == 1
            && self.0[0]
                == (Window {
                    role: today,
                    from: Day::ICD10,
                    to: None,
                })
        {
            return String::new();
        }
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|w| {
                let role = match w.role {
                    Role::Billable => 'b',
                    Role::Header => 'h',
                };
                let to = w.to.map(|t| t.compact().to_string()).unwrap_or_default();
                format!("{role}{}-{to}", w.from.compact())
            })
            .collect();
        parts.join(" ")
    }

    pub fn on(&self, day: Day) -> Validity {
        if let Some(w) = self.0.iter().find(|w| w.contains(day)) {
            return match w.role {
                Role::Billable => Validity::Billable,
                Role::Header => Validity::Header,
            };
        }
        let ended = self
            .0
            .iter()
            .filter_map(|w| w.to)
            .filter(|&t| t < day)
            .max();
        match ended {
            Some(last) => Validity::Ended(last),
            None => match self.0.iter().map(|w| w.from).min() {
                Some(first) => Validity::NotYet(first),
                None => Validity::Unknown,
            },
        }
    }

    /// The role's windows merged where they touch or overlap: days as (from, to) with
    /// `None` open, sorted.
    pub fn merge(mut spans: Vec<(Day, Option<Day>)>) -> Vec<(Day, Option<Day>)> {
        spans.sort();
        let mut out: Vec<(Day, Option<Day>)> = Vec::new();
        for (from, to) in spans {
            if let Some(last) = out.last_mut() {
                let reaches = last.1.is_none_or(|t| t.succ() >= from);
                if reaches {
                    last.1 = match (last.1, to) {
                        (None, _) | (_, None) => None,
                        (Some(a), Some(b)) => Some(a.max(b)),
                    };
                    continue;
                }
            }
            out.push((from, to));
        }
        out
    }

    /// Windows of one role from merged spans.
    pub fn of(role: Role, spans: &[(Day, Option<Day>)]) -> impl Iterator<Item = Window> + '_ {
        spans
            .iter()
            .map(move |&(from, to)| Window { role, from, to })
    }

    /// The first day of the window that holds `day`, and whether the code held another role
    /// just before it (D69.1: a header since 2026-10-01, billable until 2026-09-30).
    pub fn since(&self, day: Day) -> Option<(Day, Option<Role>)> {
        let w = self.0.iter().find(|w| w.contains(day))?;
        let before = self
            .0
            .iter()
            .find(|o| o.to.is_some_and(|t| t.succ() == w.from))
            .map(|o| o.role);
        Some((w.from, before))
    }
}

/// The name of the release in force on `day`, given the days releases began (October 1, and
/// the April and January updates): `FY2027`, `FY2026 (April 1, 2026 update)`.
pub fn release_on(day: Day, updates: &[Day]) -> String {
    let fy = day.fiscal_year();
    let update = updates
        .iter()
        .copied()
        .filter(|&u| u <= day && u.fiscal_year() == fy && u.month() != 10)
        .max();
    match update {
        Some(u) => {
            const MONTHS: [&str; 12] = [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ];
            let month = MONTHS[(u.month() - 1) as usize];
            format!("FY{fy} ({month} 1, {} update)", u.year())
        }
        None => format!("FY{fy}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_across_months_and_leap_years() {
        let d = Day::parse("2026-10-01").unwrap();
        assert_eq!(d.pred().to_string(), "2026-09-30");
        assert_eq!(
            Day::parse("20240229").unwrap().succ().to_string(),
            "2024-03-01"
        );
        assert_eq!(
            Day::parse("2025-12-31").unwrap().succ().to_string(),
            "2026-01-01"
        );
        assert_eq!(Day::parse("2026-02-29"), None);
        assert_eq!(d.fiscal_year(), 2027);
        assert_eq!(Day::parse("2026-09-30").unwrap().fiscal_year(), 2026);
    }

    #[test]
    fn a_history_answers_by_day() {
        let h = History::parse("b20151001-20260930 h20261001-", Role::Header);
        let on = |s: &str| h.on(Day::parse(s).unwrap());
        assert_eq!(on("2026-08-01"), Validity::Billable);
        assert_eq!(on("2026-11-01"), Validity::Header);
        assert_eq!(h.encode(Role::Header), "b20151001-20260930 h20261001-");
        let deleted = History::parse("b20151001-20260930", Role::Header);
        assert_eq!(
            deleted.on(Day::parse("2026-11-01").unwrap()),
            Validity::Ended(Day::parse("2026-09-30").unwrap())
        );
        let new = History::parse("b20261001-", Role::Billable);
        assert_eq!(
            new.on(Day::parse("2026-08-01").unwrap()),
            Validity::NotYet(Day::parse("2026-10-01").unwrap())
        );
        assert_eq!(
            History::parse("", Role::Billable).encode(Role::Billable),
            ""
        );
    }

    #[test]
    fn releases_are_named_by_fiscal_year_and_update() {
        let updates = [
            Day::parse("2026-04-01").unwrap(),
            Day::parse("2026-10-01").unwrap(),
        ];
        let name = |s: &str| release_on(Day::parse(s).unwrap(), &updates);
        assert_eq!(name("2026-11-01"), "FY2027");
        assert_eq!(name("2026-08-01"), "FY2026 (April 1, 2026 update)");
        assert_eq!(name("2026-01-15"), "FY2026");
    }
}
