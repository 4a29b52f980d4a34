//! Every fixed finding code gongkai can emit. Codes are part of the contract
//! with users (explanations.csv, run.json, cron scripts): they never change
//! meaning. The template adds its own rule codes (`SUM-R05`, `SWING-R02` …);
//! `docs/checks.md` documents both, and a test keeps it complete.

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $name:ident => $id:literal,)*) => {
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
        }
    };
}

codes! {
    /// The file could not be read from disk.
    FileIo => "FILE-IO",
    /// A zero-byte file.
    FileEmpty => "FILE-EMPTY",
    /// Larger than any form could be.
    FileTooLarge => "FILE-TOO-LARGE",
    /// A zip that unpacks past the limit.
    FileUnpacksTooLarge => "FILE-UNPACKS-TOO-LARGE",
    /// A sheet spread over more cells than any form has.
    FileTooManyCells => "FILE-TOO-MANY-CELLS",
    /// Excel 2003 XML (SpreadsheetML).
    FileXml2003 => "FILE-XML2003",
    /// A Word 97–2003 .doc or WPS 文字 .wps document.
    FileLegacyWord => "FILE-LEGACY-WORD",
    /// A PDF document.
    FilePdf => "FILE-PDF",
    /// A photo or scan.
    FileImage => "FILE-IMAGE",
    /// Something else: a presentation, an archive, a text file.
    FileNotSpreadsheet => "FILE-NOT-SPREADSHEET",
    /// Encrypted with a password.
    FilePassword => "FILE-PASSWORD",
    /// A damaged workbook.
    FileCorrupt => "FILE-CORRUPT",
    /// A workbook without the form.
    FileNoForm => "FILE-NO-FORM",
    /// The national form instead of this one.
    FileOtherForm => "FILE-OTHER-FORM",
    /// The spreadsheet library failed on the file.
    FileReaderFailed => "FILE-READER-FAILED",
    /// The extension does not say what the file is.
    FileRenamed => "FILE-RENAMED",
    /// Not a spreadsheet by its name; not read.
    FileIgnored => "FILE-IGNORED",
    /// A symbolic link in the input tree, not followed.
    InputLink => "INPUT-LINK",
    /// A year-named folder inside a district: an archive, not read.
    InputArchive => "INPUT-ARCHIVE",
    /// Another folder inside a district, not read.
    InputNested => "INPUT-NESTED",
    /// A formula without a saved result, computed by gongkai.
    ValueFormulaComputed => "VALUE-FORMULA-COMPUTED",
    /// A formula gongkai cannot compute.
    ValueFormula => "VALUE-FORMULA",
    /// A dash or 无 read as 0.
    ValueDash => "VALUE-DASH",
    /// A unit typed after the number.
    ValueUnit => "VALUE-UNIT",
    /// Text that is no number.
    ValueInvalid => "VALUE-INVALID",
    /// An error cell (#DIV/0!, #REF! …).
    ValueErrorCell => "VALUE-ERROR-CELL",
    /// A date where a number belongs.
    ValueDate => "VALUE-DATE",
    /// A row label with a typo, matched anyway.
    FormLabelTypo => "FORM-LABEL-TYPO",
    /// Template rows the form does not have.
    FormRowsMissing => "FORM-ROWS-MISSING",
    /// A row inside the table the template does not have.
    FormRowUnknown => "FORM-ROW-UNKNOWN",
    /// A form gongkai knows, but not the one this year's rollup adds up.
    FormWrongFormat => "FORM-WRONG-FORMAT",
    /// A table of the form that is not in the file.
    FormTableMissing => "FORM-TABLE-MISSING",
    /// A column whose header is not in the file, read by its place.
    FormHeaderMissing => "FORM-HEADER-MISSING",
    /// A 填报日期 that is no date.
    FooterDate => "FOOTER-DATE",
    /// A roster unit that sent no file.
    UnitMissing => "UNIT-MISSING",
    /// A file filed under another district's folder.
    UnitWrongFolder => "UNIT-WRONG-FOLDER",
    /// A file from a unit the roster does not have.
    UnitNotInRoster => "UNIT-NOT-IN-ROSTER",
    /// A folder that is no district of the roster.
    FolderNotInRoster => "FOLDER-NOT-IN-ROSTER",
    /// Two files from one unit.
    UnitDuplicate => "UNIT-DUPLICATE",
    /// A unit that reported last year and not this year.
    UnitGone => "UNIT-GONE",
    /// Last year's records could not be used.
    PreviousUnreadable => "PREVIOUS-UNREADABLE",
    /// Files an interrupted run left in OUT, removed.
    OutputLeftover => "OUTPUT-LEFTOVER",
    /// A line of explanations.csv that could not be used.
    ExplanationInvalid => "EXPLANATION-INVALID",
    /// An explanation that matches no finding.
    ExplanationUnused => "EXPLANATION-UNUSED",
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
