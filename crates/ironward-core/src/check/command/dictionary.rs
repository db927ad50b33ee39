//! The built-in dictionary of commands attackers run through an injection, with how much each
//! name alone says about an attack.
//!
//! The list is Ironward's own, built from what injection payloads and post-exploitation
//! playbooks use: reconnaissance (`id`, `whoami`, `uname`, `ipconfig`…), file reading
//! (`cat`, `type`…), download and reverse shells (`wget`, `curl`, `nc`, `bash -i`…),
//! interpreters (`python -c`, `perl -e`, `powershell -enc`…) and Windows administration
//! (`net user`, `reg add`, `certutil`…).
//!
//! Every entry has a [`Weight`]. A name that is also an ordinary word (`cat`, `type`, `sleep`,
//! `less`, `python`) weighs little, so it only counts with shell-like arguments; a name that is
//! nothing but a tool (`nc`, `wget`, `netsh`) weighs more; a handful of reconnaissance probes
//! that no one types for another reason (`whoami`, `uname`, `ipconfig`) weigh the most. POSIX
//! names match in lower case only (the file system is case-sensitive, and prose capitalises
//! words); Windows names match in any case, and with a `.exe` suffix.

/// How much a command name alone weighs (see the rule in the module doc of `command`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Weight {
    /// An ordinary word too: needs shell-like arguments.
    Word = 1,
    /// Only ever a tool (or an abbreviation no prose uses after a separator).
    Tool = 2,
    /// A reconnaissance probe: enough on its own.
    Probe = 3,
}

/// What the arguments of a command must look like to count as shell-like, beyond the generic
/// signals (flags, sensitive paths, URLs, redirections…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Only the generic signals.
    Plain,
    /// A lone number also counts (`sleep 5`, `ping 10`).
    Numeric,
    /// Runs another command: a dictionary command as first argument counts (`which nc`,
    /// `sudo id`, `nohup bash`).
    Wrapper,
    /// A shell or interpreter whose `-c`/`/c`/`-e` argument is itself a command line.
    Shell,
    /// Takes a subcommand from this list (`net user`, `reg add`, `netsh firewall`); for a
    /// name that is also a word, followed by a switch or nothing.
    Sub(&'static [&'static str]),
}

/// One dictionary entry.
#[derive(Debug, Clone, Copy)]
pub(super) struct Command {
    /// The name, in lower case.
    pub name: &'static str,
    /// How much the name alone weighs.
    pub weight: Weight,
    /// A Windows command (case-insensitive, `/x` switches, `.exe` suffix).
    pub windows: bool,
    /// Argument shape.
    pub kind: Kind,
}

use Kind::{Numeric, Plain, Shell, Sub, Wrapper};
use Weight::{Probe, Tool, Word};

const NET_SUB: &[&str] = &[
    "accounts",
    "config",
    "group",
    "localgroup",
    "session",
    "share",
    "start",
    "stop",
    "use",
    "user",
    "users",
    "view",
];
const REG_SUB: &[&str] = &["add", "delete", "export", "import", "load", "query", "save"];
const NETSH_SUB: &[&str] = &[
    "add",
    "advfirewall",
    "firewall",
    "http",
    "interface",
    "set",
    "wlan",
];
const SC_SUB: &[&str] = &["config", "create", "delete", "qc", "query", "start", "stop"];

const fn posix(name: &'static str, weight: Weight, kind: Kind) -> Command {
    Command {
        name,
        weight,
        windows: false,
        kind,
    }
}

const fn win(name: &'static str, weight: Weight, kind: Kind) -> Command {
    Command {
        name,
        weight,
        windows: true,
        kind,
    }
}

/// The dictionary, sorted by name (checked by a test) for binary search.
pub(super) const COMMANDS: &[Command] = &[
    posix("arp", Tool, Plain),
    posix("ash", Word, Shell),
    win("attrib", Tool, Plain),
    posix("awk", Tool, Plain),
    posix("base64", Tool, Plain),
    posix("bash", Word, Shell),
    win("bcdedit", Tool, Plain),
    win("bitsadmin", Tool, Plain),
    posix("busybox", Tool, Wrapper),
    win("cacls", Tool, Plain),
    posix("cat", Word, Plain),
    win("certutil", Tool, Plain),
    posix("chgrp", Tool, Plain),
    posix("chmod", Tool, Plain),
    posix("chown", Tool, Plain),
    win("cmd", Word, Shell),
    posix("cp", Word, Plain),
    posix("crontab", Tool, Plain),
    win("cscript", Tool, Plain),
    posix("csh", Tool, Shell),
    posix("curl", Word, Plain),
    posix("dash", Word, Shell),
    posix("date", Word, Plain),
    win("del", Word, Plain),
    posix("df", Word, Plain),
    posix("dig", Word, Plain),
    win("dir", Tool, Plain),
    win("dsquery", Tool, Plain),
    posix("du", Word, Plain),
    win("echo", Word, Plain),
    posix("egrep", Tool, Plain),
    posix("env", Tool, Wrapper),
    posix("eval", Word, Wrapper),
    posix("exec", Word, Wrapper),
    posix("export", Word, Plain),
    posix("fgrep", Tool, Plain),
    posix("find", Word, Plain),
    win("findstr", Tool, Plain),
    posix("gawk", Tool, Plain),
    posix("gcc", Tool, Plain),
    posix("getent", Tool, Plain),
    posix("grep", Tool, Plain),
    posix("head", Word, Plain),
    posix("hexdump", Tool, Plain),
    posix("history", Word, Plain),
    posix("host", Word, Plain),
    win("hostname", Word, Plain),
    win("icacls", Tool, Plain),
    posix("id", Tool, Plain),
    posix("ifconfig", Probe, Plain),
    win("ipconfig", Probe, Plain),
    posix("iptables", Tool, Plain),
    posix("java", Word, Shell),
    posix("jrunscript", Tool, Shell),
    posix("kill", Word, Plain),
    posix("killall", Tool, Plain),
    posix("ksh", Tool, Shell),
    posix("less", Word, Plain),
    posix("ln", Word, Plain),
    posix("ls", Tool, Plain),
    posix("lsb_release", Tool, Plain),
    posix("lsof", Tool, Plain),
    posix("lua", Word, Shell),
    posix("mkdir", Word, Plain),
    posix("mkfifo", Tool, Plain),
    win("mklink", Tool, Plain),
    posix("more", Word, Plain),
    win("move", Word, Plain),
    posix("msfvenom", Tool, Plain),
    win("mshta", Tool, Plain),
    posix("mv", Word, Plain),
    win("nbtstat", Tool, Plain),
    posix("nc", Tool, Plain),
    posix("ncat", Tool, Plain),
    win("net", Word, Sub(NET_SUB)),
    win("net1", Tool, Sub(NET_SUB)),
    posix("netcat", Tool, Plain),
    win("netsh", Tool, Sub(NETSH_SUB)),
    win("netstat", Probe, Plain),
    posix("nice", Word, Wrapper),
    win("nltest", Tool, Plain),
    posix("nmap", Tool, Plain),
    posix("node", Word, Shell),
    posix("nohup", Tool, Wrapper),
    win("nslookup", Tool, Plain),
    posix("od", Word, Plain),
    posix("openssl", Tool, Plain),
    posix("passwd", Word, Plain),
    posix("perl", Word, Shell),
    posix("pgrep", Tool, Plain),
    posix("php", Word, Shell),
    win("ping", Word, Numeric),
    posix("pkill", Tool, Plain),
    win("powershell", Tool, Shell),
    posix("printf", Word, Plain),
    posix("ps", Tool, Plain),
    posix("pwd", Tool, Plain),
    win("pwsh", Tool, Shell),
    posix("python", Word, Shell),
    posix("python2", Tool, Shell),
    posix("python3", Tool, Shell),
    win("quser", Tool, Plain),
    win("qwinsta", Tool, Plain),
    posix("rbash", Tool, Shell),
    win("reg", Word, Sub(REG_SUB)),
    win("regsvr32", Tool, Plain),
    posix("rm", Word, Plain),
    win("robocopy", Tool, Plain),
    win("route", Word, Plain),
    posix("ruby", Word, Shell),
    win("rundll32", Tool, Plain),
    win("sc", Word, Sub(SC_SUB)),
    win("schtasks", Tool, Plain),
    posix("scp", Word, Plain),
    posix("sed", Word, Plain),
    posix("setsid", Tool, Wrapper),
    posix("sh", Word, Shell),
    posix("sleep", Word, Numeric),
    posix("socat", Tool, Plain),
    posix("ssh", Word, Plain),
    posix("strings", Word, Plain),
    posix("su", Word, Plain),
    posix("sudo", Tool, Wrapper),
    posix("sysctl", Tool, Plain),
    win("sysinfo", Tool, Plain),
    win("systeminfo", Probe, Plain),
    posix("tail", Word, Plain),
    posix("tar", Word, Plain),
    win("taskkill", Tool, Plain),
    win("tasklist", Tool, Plain),
    posix("tclsh", Tool, Shell),
    posix("tcpdump", Tool, Plain),
    posix("tcsh", Tool, Shell),
    posix("tee", Word, Plain),
    posix("telnet", Word, Plain),
    posix("tftp", Tool, Plain),
    win("timeout", Word, Numeric),
    posix("top", Word, Plain),
    posix("touch", Word, Plain),
    posix("traceroute", Tool, Plain),
    win("tracert", Tool, Plain),
    win("type", Word, Plain),
    posix("uname", Probe, Plain),
    posix("uptime", Word, Plain),
    posix("useradd", Tool, Plain),
    posix("usermod", Tool, Plain),
    posix("usleep", Tool, Numeric),
    win("vssadmin", Tool, Plain),
    win("wevtutil", Tool, Plain),
    posix("wget", Tool, Plain),
    posix("which", Word, Wrapper),
    win("whoami", Probe, Plain),
    win("wmic", Tool, Plain),
    win("wscript", Tool, Plain),
    posix("xargs", Tool, Wrapper),
    win("xcopy", Tool, Plain),
    posix("xterm", Tool, Plain),
    posix("xxd", Tool, Plain),
    posix("zsh", Tool, Shell),
];

/// For each pair of first two bytes (the second one as a letter, or "other"), a bit per name
/// length present in [`COMMANDS`]: most words ("the", "order", "price") are rejected by one
/// load and a shift, before any string comparison.
struct FirstAndLength([[u32; 27]; 26]);

/// The column of a name's second byte: a letter, or 26 for anything else (digits, `-`, end).
const fn second(name: &[u8]) -> usize {
    if name.len() > 1 && name[1].is_ascii_lowercase() {
        (name[1] - b'a') as usize
    } else {
        26
    }
}

impl FirstAndLength {
    const fn build() -> FirstAndLength {
        let mut masks = [[0u32; 27]; 26];
        let mut i = 0;
        while i < COMMANDS.len() {
            let name = COMMANDS[i].name.as_bytes();
            if !name.is_empty() && name[0].is_ascii_lowercase() && name.len() < 32 {
                masks[(name[0] - b'a') as usize][second(name)] |= 1 << name.len();
            }
            i += 1;
        }
        FirstAndLength(masks)
    }

    /// False when no dictionary name starts with these two bytes (lower case; `second` is 0
    /// for a one-byte word) and has this length.
    fn could_hold(&self, first: u8, second: u8, len: usize) -> bool {
        match first {
            b'a'..=b'z' if len < 32 => {
                let column = if second.is_ascii_lowercase() {
                    usize::from(second - b'a')
                } else {
                    26
                };
                self.0
                    .get(usize::from(first - b'a'))
                    .and_then(|row| row.get(column))
                    .is_some_and(|m| m & (1 << len) != 0)
            }
            // Names that start with another byte (none today) are looked up the slow way.
            b'a'..=b'z' => false,
            _ => true,
        }
    }
}

static FIRST_AND_LENGTH: FirstAndLength = FirstAndLength::build();

/// The indexes of [`COMMANDS`] grouped by first letter and length, and for each (letter,
/// length) the range of `order` holding those names: a lookup compares a word with the one to
/// few names of its bucket only.
struct Buckets {
    order: [u16; COMMANDS.len()],
    buckets: [[(u16, u16); MAX_NAME + 1]; 26],
}

impl Buckets {
    const fn build() -> Buckets {
        let mut order = [0u16; COMMANDS.len()];
        let mut buckets = [[(0u16, 0u16); MAX_NAME + 1]; 26];
        let mut n = 0usize;
        let mut letter = 0usize;
        while letter < 26 {
            let mut len = 0usize;
            while len <= MAX_NAME {
                let start = n;
                let mut i = 0usize;
                while i < COMMANDS.len() {
                    let name = COMMANDS[i].name.as_bytes();
                    if name.len() == len && name[0] == b'a' + letter as u8 {
                        order[n] = i as u16;
                        n += 1;
                    }
                    i += 1;
                }
                buckets[letter][len] = (start as u16, n as u16);
                len += 1;
            }
            letter += 1;
        }
        Buckets { order, buckets }
    }
}

static BY_FIRST_AND_LENGTH: Buckets = Buckets::build();

/// Longest name worth looking up (longer words are never commands).
pub(super) const MAX_NAME: usize = 24;

/// Looks `word` up: POSIX names must be in lower case, Windows names match in any case and
/// with a `.exe` suffix.
pub(super) fn lookup(word: &str) -> Option<&'static Command> {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_NAME || !word.is_ascii() {
        return None;
    }
    // Names are stored in lower case: compared without case, no copy is needed.
    let exe = bytes.len() >= 4
        && bytes
            .get(bytes.len() - 4..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(b".exe"));
    let stem = if exe {
        bytes.get(..bytes.len() - 4).unwrap_or_default()
    } else {
        bytes
    };
    let first = stem.first()?.to_ascii_lowercase();
    let second = stem.get(1).map_or(0, u8::to_ascii_lowercase);
    if !FIRST_AND_LENGTH.could_hold(first, second, stem.len()) {
        return None;
    }
    let same = |c: &&Command| c.name.as_bytes().eq_ignore_ascii_case(stem);
    let found = if first.is_ascii_lowercase() {
        // Only the names that share the first letter and the length (one to a few).
        let (start, end) = BY_FIRST_AND_LENGTH
            .buckets
            .get(usize::from(first - b'a'))
            .and_then(|row| row.get(stem.len()))
            .copied()
            .unwrap_or_default();
        BY_FIRST_AND_LENGTH
            .order
            .get(usize::from(start)..usize::from(end))
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| COMMANDS.get(usize::from(i)))
            .find(same)?
    } else {
        COMMANDS.iter().find(same)?
    };
    // POSIX names match only as written, in lower case and without `.exe`.
    let was_lower = !bytes.iter().any(u8::is_ascii_uppercase);
    (found.windows || (was_lower && !exe)).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_is_sorted_and_lower_case() {
        for pair in COMMANDS.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} ≥ {}",
                pair[0].name,
                pair[1].name
            );
        }
        for c in COMMANDS {
            assert_eq!(c.name, c.name.to_ascii_lowercase());
            assert!(c.name.len() <= MAX_NAME);
        }
    }

    #[test]
    fn every_name_is_found_through_its_letter_range() {
        for c in COMMANDS {
            assert!(
                lookup(c.name).is_some_and(|f| f.name == c.name),
                "{}",
                c.name
            );
        }
        assert!(lookup("zzzz").is_none());
    }

    #[test]
    fn lookup_respects_case_rules() {
        assert!(lookup("cat").is_some());
        assert!(lookup("Cat").is_none());
        assert!(lookup("WHOAMI").is_some());
        assert!(lookup("cmd.exe").is_some());
        assert!(lookup("cat.exe").is_none());
        assert!(lookup("PowerShell.EXE").is_some());
        assert!(lookup("catalogue").is_none());
        assert!(lookup("").is_none());
    }
}
