//! Fuzzes the shell sink detector: the first line is the command, each further line an input
//! (the first byte of the data picks how: the command line itself, or an argument list of
//! `sh -c` and the command, or the command's words). Asserts that nothing panics and that a
//! finding's span is a range of the command (or of the arguments joined with spaces) that
//! holds the input.
#![no_main]

use ironward_core::sink::shell;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let mut lines = text.split('\n');
    let command = lines.next().unwrap_or_default();
    let inputs: Vec<&str> = lines.collect();
    // Inputs cut from the command itself, so that they occur.
    let cuts: Vec<&str> = inputs
        .iter()
        .filter_map(|i| {
            let a = i.len() % (command.len() + 1);
            let b = (a + i.len() % 23).min(command.len());
            command.get(a..b)
        })
        .collect();
    match pick % 3 {
        0 => {
            for list in [&inputs, &cuts] {
                if let Some(f) = shell::check_command(command, list) {
                    assert_eq!(command.get(f.span.clone()), Some(f.input.as_str()));
                }
            }
        }
        1 => {
            let args = ["/bin/sh", "-c", command];
            let joined = args.join(" ");
            for list in [&inputs, &cuts] {
                if let Some(f) = shell::check_argv(args, list) {
                    assert_eq!(joined.get(f.span.clone()), Some(f.input.as_str()));
                }
            }
        }
        _ => {
            let args: Vec<&str> = command.split(' ').collect();
            let joined = args.join(" ");
            for list in [&inputs, &cuts] {
                if let Some(f) = shell::check_argv(&args, list) {
                    assert_eq!(joined.get(f.span.clone()), Some(f.input.as_str()));
                }
            }
        }
    }
});
