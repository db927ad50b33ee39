//! Guards for processes: [`command`] checks a `std::process::Command` (and
//! [`tokio_command`] a `tokio::process::Command`) right before it is spawned.
//!
//! A program that is a shell given a command line (`sh -c LINE`, `bash -lc LINE`,
//! `cmd /C LINE`) is checked as a command line (`Operation::Command`); any other program as
//! an argument list (`Operation::Argv`: an input that becomes an option of the program).

use crate::error::Blocked;
use crate::sink::{check_command_line_at, check_os_argv};
use std::ffi::OsStr;
use std::panic::Location;
use std::path::Path;
use std::process::Command;

/// Shells that take a command line after `-c`.
const POSIX_SHELLS: [&str; 11] = [
    "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "busybox",
];

/// Checks a command about to be spawned (`.output()`, `.status()`, `.spawn()`).
///
/// ```
/// use std::process::Command;
///
/// # fn run(name: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let mut cmd = Command::new("sh");
/// cmd.arg("-c").arg(format!("ls -l {name}"));
/// ironward_guard::process::command(&cmd)?; // `name = "x; cat /etc/passwd"` is blocked in a request
/// let _out = cmd.output()?;
/// # Ok(()) }
/// ```
#[track_caller]
pub fn command(cmd: &Command) -> Result<(), Blocked> {
    check_parts(cmd, Location::caller())
}

/// Checks a `tokio::process::Command` about to be spawned (through
/// [`as_std`](tokio::process::Command::as_std)).
#[track_caller]
pub fn tokio_command(cmd: &tokio::process::Command) -> Result<(), Blocked> {
    command(cmd.as_std())
}

/// Checks a program and its arguments, as `Command` holds them.
fn check_parts(cmd: &Command, caller: &'static Location<'static>) -> Result<(), Blocked> {
    if !crate::context::in_scope() {
        return Ok(());
    }
    let program = cmd.get_program();
    if let Some(line) = shell_line(program, cmd.get_args()) {
        return check_command_line_at(&line.to_string_lossy(), caller);
    }
    check_os_argv(std::iter::once(program).chain(cmd.get_args()), caller)
}

/// The command line a shell is asked to run, when `program` is a shell invoked with one
/// (`sh [options] -c LINE …`, `cmd /C LINE…`).
fn shell_line<'a>(
    program: &'a OsStr,
    mut args: impl Iterator<Item = &'a OsStr>,
) -> Option<std::borrow::Cow<'a, OsStr>> {
    let name = Path::new(program).file_name()?.to_str()?;
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    if name == "cmd" {
        // `cmd /C line…`: the rest of the arguments, joined, is the line.
        let mut rest = args.skip_while(|a| {
            !a.to_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("/c") || s.eq_ignore_ascii_case("/k"))
        });
        rest.next()?;
        let parts: Vec<&OsStr> = rest.collect();
        return Some(std::borrow::Cow::Owned(parts.join(OsStr::new(" "))));
    }
    if !POSIX_SHELLS.contains(&name) {
        return None;
    }
    let mut takes_line = false;
    let mut skip_next = false;
    for arg in args.by_ref() {
        if skip_next {
            skip_next = false;
            continue;
        }
        let Some(s) = arg.to_str() else {
            return takes_line.then_some(std::borrow::Cow::Borrowed(arg));
        };
        if s == "--" || s == "-" {
            continue;
        }
        if let Some(long) = s.strip_prefix("--") {
            // `--login`, `--norc`…; `--rcfile FILE` takes a value.
            skip_next = matches!(long, "rcfile" | "init-file");
            continue;
        }
        if let Some(flags) = s.strip_prefix('-').or_else(|| s.strip_prefix('+'))
            && !flags.is_empty()
        {
            if flags.contains('c') && s.starts_with('-') {
                takes_line = true;
            }
            // `-o option` / `+O shopt` take a value.
            skip_next = flags.ends_with('o') || flags.ends_with('O');
            continue;
        }
        // The first operand: the command line with `-c`, else a script file.
        return takes_line.then_some(std::borrow::Cow::Borrowed(arg));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(program: &str, args: &[&str]) -> Option<String> {
        shell_line(OsStr::new(program), args.iter().map(OsStr::new))
            .map(|l| l.to_string_lossy().into_owned())
    }

    #[test]
    fn finds_the_command_line() {
        assert_eq!(line("sh", &["-c", "ls x"]).as_deref(), Some("ls x"));
        assert_eq!(
            line("/bin/bash", &["-lc", "ls x", "a0"]).as_deref(),
            Some("ls x")
        );
        assert_eq!(
            line("bash", &["-o", "pipefail", "-e", "-c", "a | b"]).as_deref(),
            Some("a | b")
        );
        assert_eq!(
            line("bash", &["--login", "-c", "id"]).as_deref(),
            Some("id")
        );
        assert_eq!(
            line("cmd.exe", &["/C", "dir", "x"]).as_deref(),
            Some("dir x")
        );
        assert_eq!(line("sh", &["script.sh", "-c"]), None);
        assert_eq!(line("ls", &["-c", "x"]), None);
        assert_eq!(line("sh", &["-e"]), None);
    }
}
