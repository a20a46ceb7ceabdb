//! What payers weigh a diagnosis by, from the CMS tables: its MS-DRG severity (CC, MCC) and
//! major diagnostic category for inpatient stays, by the grouper version in force on the
//! date of service, and its CMS-HCC V28 category for risk adjustment, by payment year.
//!
//! The data cannot know what the grouper does with a whole claim (the DRG itself, CC
//! exclusions by principal diagnosis, "only if discharged alive"): these are one code's
//! facts.

use super::history::Day;
use super::table::Table;
use std::fmt;
use std::sync::OnceLock;

/// MS-DRG severity of a secondary diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    NonCc,
    Cc,
    Mcc,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Mcc => "MCC",
            Level::Cc => "CC",
            Level::NonCc => "non-CC",
        }
    }
}

/// An MS-DRG grouper version, as CMS numbers them ×10: 440 is v44.0 (FY2027), 431 v43.1 (the
/// April 2026 update).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grouper(pub u32);

impl Grouper {
    /// The version in force on a day: a fiscal year's October version, and its April update
    /// from April 1 (v43 for FY2026 began 2025-10-01, v43.1 on 2026-04-01).
    pub fn on(day: Day) -> Grouper {
        let april = (4..=9).contains(&day.month());
        Grouper((day.fiscal_year().saturating_sub(1983)) * 10 + u32::from(april))
    }

    pub fn fiscal_year(self) -> u32 {
        self.0 / 10 + 1983
    }
}

impl fmt::Display for Grouper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 % 10 {
            0 => write!(f, "MS-DRG v{} (FY{})", self.0 / 10, self.fiscal_year()),
            n => write!(f, "MS-DRG v{}.{n} (FY{})", self.0 / 10, self.fiscal_year()),
        }
    }
}

/// A diagnosis's MS-DRG facts under one grouper version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Severity {
    pub grouper: Grouper,
    /// The day asked for is past (or before) the versions dxpx has: this is the nearest.
    pub nearest: bool,
    pub level: Level,
    pub mdc: String,
    pub mdc_title: String,
}

/// A diagnosis's CMS-HCC V28 categories for one payment year (most codes have none; a few
/// have two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hccs {
    pub payment_year: u32,
    /// The year asked for has no map here: this is the nearest.
    pub nearest: bool,
    pub categories: Vec<Hcc>,
    /// The code is newer than the map (FY2027's new codes are in no payment year 2027 map
    /// CMS has published): no category here says nothing of the code.
    pub code_is_newer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hcc {
    pub number: String,
    pub label: String,
}

impl fmt::Display for Hccs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CMS-HCC V28, payment year {}", self.payment_year)?;
        if self.nearest {
            write!(f, " (the nearest dxpx has)")?;
        }
        Ok(())
    }
}

/// The tables are read on first use: a hover of a diagnosis or a claim's summary.
pub struct Payment {
    severity: Table,
    mdc: Table,
    cc_exclusions: Table,
    exclusion_groups: Table,
    hcc: Table,
    hcc_labels: Table,
    mce_ages: Table,
    versions: OnceLock<(u32, u32)>,
    years: OnceLock<Vec<u32>>,
}

impl Payment {
    pub(super) fn new(
        [
            severity,
            mdc,
            cc_exclusions,
            exclusion_groups,
            hcc,
            hcc_labels,
            mce_ages,
        ]: [Table; 7],
    ) -> Payment {
        Payment {
            severity,
            mdc,
            cc_exclusions,
            exclusion_groups,
            hcc,
            hcc_labels,
            mce_ages,
            versions: OnceLock::new(),
            years: OnceLock::new(),
        }
    }

    pub(super) fn tables(&self) -> [&Table; 7] {
        [
            &self.severity,
            &self.mdc,
            &self.cc_exclusions,
            &self.exclusion_groups,
            &self.hcc,
            &self.hcc_labels,
            &self.mce_ages,
        ]
    }

    /// The ages, in whole years, that a Medicare Code Editor age group (`newborn`,
    /// `pediatric`, `maternity`, `adult`, as the ICD-10-CM edit flags name them) allows on
    /// `day`: maternity was 12–55 until 2019-09-30 and is 9–64 since.
    pub fn age_group(&self, group: &str, day: Day) -> Option<(u32, u32)> {
        let iso = day.to_string();
        self.mce_ages
            .all(group)
            .find(|r| {
                r.field(3) <= iso.as_str() && (r.field(4).is_empty() || iso.as_str() <= r.field(4))
            })
            .and_then(|r| Some((r.field(1).parse().ok()?, r.field(2).parse().ok()?)))
    }

    /// Whether the principal diagnosis `principal` keeps `secondary` from counting as a CC or
    /// MCC under the grouper in force on `day` (the CC exclusion list: a secondary too close
    /// to the principal adds no severity). The answer names the grouper and the principal's
    /// exclusion group.
    pub fn excluded_by(
        &self,
        principal: &str,
        secondary: &str,
        day: Day,
    ) -> Option<(Grouper, String)> {
        let (oldest, newest) = self.versions();
        if oldest > newest {
            return None;
        }
        let version = Grouper::on(day).0.clamp(oldest, newest);
        let group = self
            .cc_exclusions
            .all(principal)
            .find(|r| within(r.field(1), r.field(2), version))?
            .field(3);
        self.exclusion_groups
            .get(group)?
            .field(1)
            .split(' ')
            .any(|c| c == secondary)
            .then(|| (Grouper(version), group.to_string()))
    }

    /// The MS-DRG severity and MDC of an ICD-10-CM code (dotted) under the grouper in force on
    /// `day`; a day outside the versions dxpx has takes the nearest one and says so. `None`
    /// when that version does not know the code.
    pub fn severity(&self, code: &str, day: Day) -> Option<Severity> {
        let wanted = Grouper::on(day).0;
        let (oldest, newest) = self.versions();
        if oldest > newest {
            return None;
        }
        let version = wanted.clamp(oldest, newest);
        let row = self
            .severity
            .all(code)
            .find(|r| within(r.field(1), r.field(2), version))?;
        Some(Severity {
            grouper: Grouper(version),
            nearest: version != wanted,
            level: level(row.field(3)),
            mdc: row.field(4).to_string(),
            mdc_title: self.mdc_title(row.field(4), version).unwrap_or_default(),
        })
    }

    /// The oldest and newest grouper versions the table holds.
    fn versions(&self) -> (u32, u32) {
        *self.versions.get_or_init(|| {
            let mut range = (u32::MAX, 0);
            for i in 0..self.severity.len() {
                let r = self.severity.row(i);
                if let (Ok(from), Ok(to)) = (r.field(1).parse(), r.field(2).parse()) {
                    range = (range.0.min(from), range.1.max(to));
                }
            }
            range
        })
    }

    fn mdc_title(&self, mdc: &str, version: u32) -> Option<String> {
        self.mdc
            .all(mdc)
            .find(|r| within(r.field(1), r.field(2), version))
            .map(|r| r.field(3).to_string())
    }

    /// The CMS-HCC V28 categories of an ICD-10-CM code (dotted) for the payment year a day
    /// of service counts toward (services in 2026 are paid for in 2027); a year with no map
    /// here takes the nearest and says so.
    pub fn hccs(&self, code: &str, day: Day) -> Hccs {
        let wanted = day.year() + 1;
        let year = self
            .payment_years()
            .iter()
            .copied()
            .min_by_key(|y| y.abs_diff(wanted))
            .unwrap_or(wanted);
        let categories = self
            .hcc
            .all(code)
            .filter(|r| r.field(1).parse() == Ok(year))
            .map(|r| {
                let number = r.field(2).to_string();
                let label = self
                    .hcc_labels
                    .get(&number)
                    .map(|l| l.field(1).to_string())
                    .unwrap_or_default();
                Hcc { number, label }
            })
            .collect();
        Hccs {
            payment_year: year,
            nearest: year != wanted,
            categories,
            code_is_newer: false,
        }
    }

    /// The payment years the HCC table maps.
    fn payment_years(&self) -> &[u32] {
        self.years.get_or_init(|| {
            let mut years: Vec<u32> = (0..self.hcc.len())
                .filter_map(|i| self.hcc.row(i).field(1).parse().ok())
                .collect();
            years.sort_unstable();
            years.dedup();
            years
        })
    }

    /// The HCCs that `hcc` drops when both are coded (V28 hierarchies).
    pub fn drops(&self, hcc: &str) -> Vec<String> {
        self.hcc_labels
            .get(hcc)
            .map(|r| r.field(2).split_whitespace().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// Every code with its V28 categories in a payment year (for tests and audits).
    pub fn hcc_map(&self, payment_year: u32) -> Vec<(String, String)> {
        (0..self.hcc.len())
            .map(|i| self.hcc.row(i))
            .filter(|r| r.field(1).parse() == Ok(payment_year))
            .map(|r| (r.key().to_string(), r.field(2).to_string()))
            .collect()
    }

    /// Every code with its severity under a grouper version (for tests and audits).
    pub fn severities(&self, grouper: Grouper) -> Vec<(String, Level)> {
        (0..self.severity.len())
            .map(|i| self.severity.row(i))
            .filter(|r| within(r.field(1), r.field(2), grouper.0))
            .map(|r| (r.key().to_string(), level(r.field(3))))
            .collect()
    }
}

/// Whether a row's version window (`from`, `to`, as written) holds `version`.
fn within(from: &str, to: &str, version: u32) -> bool {
    matches!((from.parse::<u32>(), to.parse::<u32>()), (Ok(f), Ok(t)) if (f..=t).contains(&version))
}

fn level(field: &str) -> Level {
    match field {
        "MCC" => Level::Mcc,
        "CC" => Level::Cc,
        _ => Level::NonCc,
    }
}
