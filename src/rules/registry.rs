//! Every rule dxpx reports, as a type: its name (the id users see is `dxpx/<name>`), default
//! severity, group and one-line summary. A finding carries its `Rule`, so a misspelt rule
//! cannot silently drop findings, and a name a user writes is checked against this list.

use super::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    UnsupportedProcedure,
    DiagnosisMismatch,
    InvalidCode,
    NonBillableCode,
    MissingSeventhCharacter,
    RetiredCode,
    NotYetValidCode,
    TerminatedCode,
    InvalidModifier,
    Excludes1Conflict,
    ManifestationWithoutEtiology,
    ExternalCauseAlone,
    DanglingPointer,
    MalformedFile,
    SuppressionWithoutReason,
    SuppressionUnknownRule,
    DocumentedNotCoded,
    MoreSpecificCode,
    Modifier25Missing,
    EmDistinctModifier,
    LateralityMismatch,
    CcExcluded,
    HccDropped,
    AgeConflict,
    UnacceptablePrincipal,
    ExternalCausePrincipal,
    QuestionableAdmission,
    NonCoveredProcedure,
    LimitedCoverageProcedure,
    UndottedCode,
}

/// Rules switched on and off together in the editor settings (`ruleGroups`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    MedicalNecessity,
    Validity,
    InstructionalNotes,
    Suppressions,
    Documentation,
    ClaimEdits,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::MedicalNecessity,
        Group::Validity,
        Group::InstructionalNotes,
        Group::Suppressions,
        Group::Documentation,
        Group::ClaimEdits,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Group::MedicalNecessity => "medical-necessity",
            Group::Validity => "validity",
            Group::InstructionalNotes => "instructional-notes",
            Group::Suppressions => "suppressions",
            Group::Documentation => "documentation",
            Group::ClaimEdits => "claim-edits",
        }
    }

    /// The group a user named, or an error naming the nearest group.
    pub fn parse(name: &str) -> Result<Group, UnknownName> {
        Group::ALL
            .into_iter()
            .find(|g| g.name() == name)
            .ok_or_else(|| UnknownName {
                kind: NameKind::Group,
                name: name.to_string(),
                nearest: nearest(name, &Group::ALL.map(Group::name)),
            })
    }
}

/// A rule or rule group that a user named and dxpx does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    pub kind: NameKind,
    pub name: String,
    /// The name with the fewest character edits from it.
    pub nearest: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Rule,
    Group,
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            NameKind::Rule => write!(
                f,
                "unknown rule {:?}; did you mean {:?}?",
                self.name, self.nearest
            ),
            NameKind::Group => write!(
                f,
                "unknown rule group {:?}; did you mean {:?}? (groups: {})",
                self.name,
                self.nearest,
                Group::ALL.map(Group::name).join(", ")
            ),
        }
    }
}

impl std::error::Error for UnknownName {}

impl Rule {
    pub const ALL: [Rule; 30] = [
        Rule::UnsupportedProcedure,
        Rule::DiagnosisMismatch,
        Rule::InvalidCode,
        Rule::NonBillableCode,
        Rule::MissingSeventhCharacter,
        Rule::RetiredCode,
        Rule::NotYetValidCode,
        Rule::TerminatedCode,
        Rule::InvalidModifier,
        Rule::Excludes1Conflict,
        Rule::ManifestationWithoutEtiology,
        Rule::ExternalCauseAlone,
        Rule::DanglingPointer,
        Rule::MalformedFile,
        Rule::SuppressionWithoutReason,
        Rule::SuppressionUnknownRule,
        Rule::DocumentedNotCoded,
        Rule::MoreSpecificCode,
        Rule::Modifier25Missing,
        Rule::EmDistinctModifier,
        Rule::LateralityMismatch,
        Rule::CcExcluded,
        Rule::HccDropped,
        Rule::AgeConflict,
        Rule::UnacceptablePrincipal,
        Rule::ExternalCausePrincipal,
        Rule::QuestionableAdmission,
        Rule::NonCoveredProcedure,
        Rule::LimitedCoverageProcedure,
        Rule::UndottedCode,
    ];

    /// The name in `dxpx.toml`, settings and `dxpx-ignore` comments.
    pub fn name(self) -> &'static str {
        self.info().0
    }

    /// The id editors and reports show: `dxpx/<name>`.
    pub fn id(self) -> String {
        format!("dxpx/{}", self.name())
    }

    pub fn default_severity(self) -> Severity {
        self.info().1
    }

    pub fn group(self) -> Group {
        self.info().2
    }

    pub fn summary(self) -> &'static str {
        self.info().3
    }

    fn info(self) -> (&'static str, Severity, Group, &'static str) {
        use Group::*;
        use Severity::*;
        match self {
            Rule::UnsupportedProcedure => (
                "unsupported-procedure",
                Error,
                MedicalNecessity,
                "a procedure with no diagnosis in its scope",
            ),
            Rule::DiagnosisMismatch => (
                "diagnosis-mismatch",
                Warning,
                MedicalNecessity,
                "no diagnosis in scope supports the procedure under the project's support rules",
            ),
            Rule::InvalidCode => (
                "invalid-code",
                Error,
                Validity,
                "code-shaped, but in no code set",
            ),
            Rule::NonBillableCode => (
                "non-billable-code",
                Error,
                Validity,
                "a category or subcategory that has more specific codes",
            ),
            Rule::MissingSeventhCharacter => (
                "missing-seventh-character",
                Error,
                Validity,
                "an injury, poisoning or other code that needs its 7th character",
            ),
            Rule::RetiredCode => (
                "retired-code",
                Error,
                Validity,
                "an ICD-9-CM code (retired 2015-10-01), or a code deleted before the date of service",
            ),
            Rule::NotYetValidCode => (
                "not-yet-valid-code",
                Error,
                Validity,
                "a code that became valid after the date of service",
            ),
            Rule::TerminatedCode => (
                "terminated-code",
                Warning,
                Validity,
                "a HCPCS code terminated before the date of service",
            ),
            Rule::InvalidModifier => (
                "invalid-modifier",
                Error,
                Validity,
                "a modifier that is neither a CPT nor a HCPCS modifier",
            ),
            Rule::Excludes1Conflict => (
                "excludes1-conflict",
                Warning,
                InstructionalNotes,
                "two codes that an Excludes1 note forbids together",
            ),
            Rule::ManifestationWithoutEtiology => (
                "manifestation-without-etiology",
                Warning,
                InstructionalNotes,
                "a manifestation code with no etiology code before it",
            ),
            Rule::ExternalCauseAlone => (
                "external-cause-alone",
                Warning,
                InstructionalNotes,
                "external-cause codes (V00–Y99) with no other diagnosis",
            ),
            Rule::DanglingPointer => (
                "dangling-pointer",
                Error,
                Validity,
                "a diagnosis pointer to a diagnosis that does not exist",
            ),
            Rule::MalformedFile => (
                "malformed-file",
                Warning,
                Validity,
                "a charge sheet or claim that breaks its format here (the rest is still checked)",
            ),
            Rule::SuppressionWithoutReason => (
                "suppression-without-reason",
                Warning,
                Suppressions,
                "a dxpx-ignore comment that gives no reason",
            ),
            Rule::SuppressionUnknownRule => (
                "suppression-unknown-rule",
                Warning,
                Suppressions,
                "a dxpx-ignore comment naming a rule dxpx does not have (it silences nothing)",
            ),
            Rule::DocumentedNotCoded => (
                "documented-not-coded",
                Hint,
                Documentation,
                "a condition the note documents as current, with no code in its scope (editor, and check --hints)",
            ),
            Rule::MoreSpecificCode => (
                "more-specific-code",
                Hint,
                Documentation,
                "a code whose condition the note describes in more detail than the code says (editor, and check --hints)",
            ),
            Rule::Modifier25Missing => (
                "modifier-25-missing",
                Warning,
                ClaimEdits,
                "an E/M service billed with a procedure of the same visit and no modifier 25",
            ),
            Rule::EmDistinctModifier => (
                "em-distinct-modifier",
                Error,
                ClaimEdits,
                "modifier 59, XE, XP, XS or XU on an E/M service, where it never applies",
            ),
            Rule::LateralityMismatch => (
                "laterality-mismatch",
                Warning,
                ClaimEdits,
                "a procedure's side (RT, LT) that its diagnoses do not name, or no side where they name one",
            ),
            Rule::CcExcluded => (
                "cc-excluded",
                Info,
                ClaimEdits,
                "a secondary CC or MCC that the inpatient claim's principal diagnosis excludes: it adds no severity",
            ),
            Rule::HccDropped => (
                "hcc-dropped",
                Info,
                ClaimEdits,
                "a CMS-HCC category that a higher category of its hierarchy, also coded, drops",
            ),
            Rule::AgeConflict => (
                "age-conflict",
                Warning,
                ClaimEdits,
                "a newborn, pediatric, maternity or adult code for a patient outside its ages on the date of service (Medicare Code Editor)",
            ),
            Rule::UnacceptablePrincipal => (
                "unacceptable-principal",
                Warning,
                ClaimEdits,
                "an inpatient claim's principal diagnosis that the Medicare Code Editor does not accept as principal",
            ),
            Rule::ExternalCausePrincipal => (
                "external-cause-principal",
                Warning,
                ClaimEdits,
                "an external-cause code as an inpatient claim's principal diagnosis (Medicare Code Editor)",
            ),
            Rule::QuestionableAdmission => (
                "questionable-admission",
                Warning,
                ClaimEdits,
                "a principal diagnosis that seldom needs an inpatient stay (Medicare Code Editor)",
            ),
            Rule::NonCoveredProcedure => (
                "non-covered-procedure",
                Warning,
                ClaimEdits,
                "an ICD-10-PCS procedure Medicare does not cover, or not with a diagnosis coded beside it (Medicare Code Editor)",
            ),
            Rule::LimitedCoverageProcedure => (
                "limited-coverage-procedure",
                Info,
                ClaimEdits,
                "an ICD-10-PCS procedure Medicare covers only under a national coverage determination's conditions (Medicare Code Editor)",
            ),
            Rule::UndottedCode => (
                "undotted-code",
                Hint,
                Validity,
                "an ICD-10-CM code in a note written without its dot (E119 for E11.9)",
            ),
        }
    }

    /// The rule a user named (with or without `dxpx/`), if there is one.
    pub fn from_name(name: &str) -> Option<Rule> {
        let name = name.trim_start_matches("dxpx/");
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The rule a user named, or an error naming the nearest rule.
    pub fn parse(name: &str) -> Result<Rule, UnknownName> {
        Rule::from_name(name).ok_or_else(|| UnknownName {
            kind: NameKind::Rule,
            name: name.to_string(),
            nearest: nearest(name.trim_start_matches("dxpx/"), &Rule::ALL.map(Rule::name)),
        })
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The candidate with the fewest character edits from `name`.
fn nearest<'a>(name: &str, candidates: &[&'a str]) -> &'a str {
    candidates
        .iter()
        .copied()
        .min_by_key(|c| edit_distance(name, c))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_read_back() {
        for r in Rule::ALL {
            assert_eq!(Rule::from_name(r.name()), Some(r));
            assert_eq!(Rule::from_name(&r.id()), Some(r));
        }
        let mut names = Rule::ALL.map(Rule::name).to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Rule::ALL.len());
    }

    #[test]
    fn a_misspelt_name_is_an_error_naming_the_nearest() {
        let e = Rule::parse("retired-cod").unwrap_err();
        assert_eq!(e.nearest, "retired-code");
        assert!(e.to_string().contains("\"retired-code\""), "{e}");
        let e = Rule::parse("dxpx/unsuported-procedure").unwrap_err();
        assert_eq!(e.nearest, "unsupported-procedure");
        let e = Group::parse("validty").unwrap_err();
        assert_eq!((e.kind, e.nearest), (NameKind::Group, "validity"));
        assert!(e.to_string().contains("(groups: "), "{e}");
    }
}
