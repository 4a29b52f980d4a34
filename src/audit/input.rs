//! What the input folder holds besides forms: files that are not read,
//! links that are not followed, folders that are not walked.

use crate::findings::Issue;
use crate::findings::codes::Code;
use crate::input::discover::{Found, Skip, Skipped};

/// One finding for each file or folder of the input tree that is not read.
pub fn findings(ignored: &[Found], skipped: &[Skipped]) -> Vec<Issue> {
    let mut issues = Vec::new();
    for f in ignored {
        issues.push(
            Issue::new(
                Code::FileIgnored,
                "不是 gongkai 读取的文件（xlsx、xls、et、xlsb、ods、docx、html）；未读取",
            )
            .file(&f.shown),
        );
    }
    for s in skipped {
        let (code, message) = match s.why {
            Skip::Link => (
                Code::InputLink,
                "符号链接；未跟随，因为它可能指向输入文件夹之外或绕回其中；请把文件本身复制到区县文件夹中",
            ),
            Skip::Archive => (
                Code::InputArchive,
                "区县文件夹中以年份命名的文件夹：视为该年报表的存档，未读取",
            ),
            Skip::Special => (
                Code::InputSpecial,
                "不是普通文件（命名管道、设备或套接字）；未读取；请把统计表文件本身复制到区县文件夹中",
            ),
            Skip::Nested => (
                Code::InputNested,
                "区县文件夹中的子文件夹；其中的文件未读取；请把各乡镇的文件直接放在区县文件夹中",
            ),
        };
        issues.push(Issue::new(code, message).file(&s.shown));
    }
    issues
}
