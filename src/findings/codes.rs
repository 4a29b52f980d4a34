//! Every fixed finding code gongkai can emit. Codes are part of the contract
//! with users (explanations.csv, run.json, cron scripts): they never change
//! meaning. The template adds its own rule codes (`SUM-R05`, `SWING-R02` …);
//! `docs/checks.md` documents both, and tests keep it complete and keep
//! each code's severity the one it gives.

use super::Severity;

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $name:ident => $id:literal, $severity:ident,)*) => {
        /// A fixed finding code. Issues take one of these (or a template
        /// rule's code), so a code cannot be emitted without being listed here.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[doc = $doc])* $name,)*
        }

        impl Code {
            pub const ALL: &[Code] = &[$(Code::$name,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $id,)*
                }
            }

            /// The severity docs/checks.md gives the code.
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$name => Severity::$severity,)*
                }
            }
        }
    };
}

codes! {
    /// The file could not be read from disk.
    FileIo => "FILE-IO", Error,
    /// A zero-byte file.
    FileEmpty => "FILE-EMPTY", Error,
    /// Larger than any form could be.
    FileTooLarge => "FILE-TOO-LARGE", Error,
    /// A zip that unpacks past the limit.
    FileUnpacksTooLarge => "FILE-UNPACKS-TOO-LARGE", Error,
    /// A sheet spread over more cells than any form has.
    FileTooManyCells => "FILE-TOO-MANY-CELLS", Error,
    /// Excel 2003 XML (SpreadsheetML).
    FileXml2003 => "FILE-XML2003", Error,
    /// A Word 97–2003 .doc or WPS 文字 .wps document.
    FileLegacyWord => "FILE-LEGACY-WORD", Error,
    /// A PDF document.
    FilePdf => "FILE-PDF", Error,
    /// A photo or scan.
    FileImage => "FILE-IMAGE", Error,
    /// Something else: a presentation, an archive, a text file.
    FileNotSpreadsheet => "FILE-NOT-SPREADSHEET", Error,
    /// Encrypted with a password.
    FilePassword => "FILE-PASSWORD", Error,
    /// A damaged workbook.
    FileCorrupt => "FILE-CORRUPT", Error,
    /// A workbook without the form.
    FileNoForm => "FILE-NO-FORM", Error,
    /// The national form instead of this one.
    FileOtherForm => "FILE-OTHER-FORM", Error,
    /// The spreadsheet library failed on the file.
    FileReaderFailed => "FILE-READER-FAILED", Error,
    /// The extension does not say what the file is.
    FileRenamed => "FILE-RENAMED", Info,
    /// Not a spreadsheet by its name; not read.
    FileIgnored => "FILE-IGNORED", Info,
    /// A symbolic link in the input tree, not followed.
    InputLink => "INPUT-LINK", Warning,
    /// A year-named folder inside a district: an archive, not read.
    InputArchive => "INPUT-ARCHIVE", Info,
    /// Another folder inside a district, not read.
    InputNested => "INPUT-NESTED", Warning,
    /// A named pipe, device or socket in the input tree, not read.
    InputSpecial => "INPUT-SPECIAL", Warning,
    /// A formula without a saved result, computed by gongkai.
    ValueFormulaComputed => "VALUE-FORMULA-COMPUTED", Info,
    /// A formula gongkai cannot compute.
    ValueFormula => "VALUE-FORMULA", Error,
    /// A dash or 无 read as 0.
    ValueDash => "VALUE-DASH", Info,
    /// A unit typed after the number.
    ValueUnit => "VALUE-UNIT", Info,
    /// Text that is no number.
    ValueInvalid => "VALUE-INVALID", Error,
    /// An error cell (#DIV/0!, #REF! …).
    ValueErrorCell => "VALUE-ERROR-CELL", Error,
    /// A date where a number belongs.
    ValueDate => "VALUE-DATE", Error,
    /// A row label with a typo, matched anyway.
    FormLabelTypo => "FORM-LABEL-TYPO", Warning,
    /// A row label in another year's format's wording, read as the row it stands for.
    FormLabelWording => "FORM-LABEL-WORDING", Info,
    /// Template rows the form does not have.
    FormRowsMissing => "FORM-ROWS-MISSING", Warning,
    /// A row inside the table the template does not have.
    FormRowUnknown => "FORM-ROW-UNKNOWN", Warning,
    /// A form gongkai knows, but not the one this year's rollup adds up.
    FormWrongFormat => "FORM-WRONG-FORMAT", Error,
    /// A table of the form that is not in the file.
    FormTableMissing => "FORM-TABLE-MISSING", Warning,
    /// A column whose header is not in the file, read by its place.
    FormHeaderMissing => "FORM-HEADER-MISSING", Warning,
    /// A 填报日期 that is no date.
    FooterDate => "FOOTER-DATE", Info,
    /// A roster unit that sent no file.
    UnitMissing => "UNIT-MISSING", Warning,
    /// A file filed under another district's folder.
    UnitWrongFolder => "UNIT-WRONG-FOLDER", Warning,
    /// A file from a unit the roster does not have.
    UnitNotInRoster => "UNIT-NOT-IN-ROSTER", Warning,
    /// A folder that is no district of the roster.
    FolderNotInRoster => "FOLDER-NOT-IN-ROSTER", Warning,
    /// Two files from one unit.
    UnitDuplicate => "UNIT-DUPLICATE", Warning,
    /// A lower office's return that differs from its units' forms.
    ReturnDiffers => "RETURN-DIFFERS", Error,
    /// A unit that reported last year and not this year.
    UnitGone => "UNIT-GONE", Warning,
    /// Last year's records could not be used.
    PreviousUnreadable => "PREVIOUS-UNREADABLE", Warning,
    /// Files an interrupted run left in OUT, removed.
    OutputLeftover => "OUTPUT-LEFTOVER", Info,
    /// A line of explanations.csv that could not be used.
    ExplanationInvalid => "EXPLANATION-INVALID", Warning,
    /// An explanation that matches no finding.
    ExplanationUnused => "EXPLANATION-UNUSED", Warning,
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_upper_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
                "{s}"
            );
        }
    }
}
