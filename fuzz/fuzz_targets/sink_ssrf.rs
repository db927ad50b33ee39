//! Fuzzes the SSRF sink detector: the first byte of the data picks how many resolved
//! addresses follow (and whether each is IPv4, 4 bytes, or IPv6, 16 bytes); the rest is text
//! whose first line is the target and each further line an input. Asserts that nothing panics
//! and that a finding's span is a range of the target.
#![no_main]

use ironward_core::sink::ssrf;
use libfuzzer_sys::fuzz_target;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, mut rest)) = data.split_first() else {
        return;
    };
    let mut resolved = Vec::new();
    for i in 0..(pick % 4) {
        let v6 = pick & (0x10 << i) != 0;
        let width = if v6 { 16 } else { 4 };
        let Some((addr, tail)) = rest.split_at_checked(width) else {
            break;
        };
        rest = tail;
        resolved.push(if let Ok(b) = <[u8; 16]>::try_from(addr) {
            IpAddr::V6(Ipv6Addr::from(b))
        } else if let Ok(b) = <[u8; 4]>::try_from(addr) {
            IpAddr::V4(Ipv4Addr::from(b))
        } else {
            continue;
        });
    }
    let text = String::from_utf8_lossy(rest);
    let mut lines = text.split('\n');
    let target = lines.next().unwrap_or_default();
    let inputs: Vec<&str> = lines.collect();
    if let Some(f) = ssrf::check(target, &resolved, &inputs) {
        assert!(target.get(f.span.clone()).is_some());
    }
    // Inputs cut from the target itself, so that they occur.
    let cuts: Vec<&str> = inputs
        .iter()
        .filter_map(|i| {
            let a = i.len() % (target.len() + 1);
            let b = (a + i.len() % 29).min(target.len());
            target.get(a..b)
        })
        .chain([target])
        .collect();
    if let Some(f) = ssrf::check(target, &resolved, &cuts) {
        assert!(target.get(f.span.clone()).is_some());
    }
});
