//! The Lua scripts run inside Redis, and the names of the keys and channel they use.
//!
//! Every update is one script: Redis runs a script atomically, so workers and hosts updating
//! the same counter never race (no read-modify-write on the client side). The scripts are
//! sent once per connection (`SCRIPT LOAD`) and then called by their SHA1 (`EVALSHA`, with the
//! client falling back to loading them again on `NOSCRIPT`, after a Redis restart).
//!
//! ## The counter script
//! A counter is a hash per IP and counter kind: one field per sub-window (its slot number,
//! the time divided by [`Window::slot_ms`]) holding its count, and a field `t` holding the
//! latest time seen. The script adds one to the current slot, drops the slots that left the
//! window, and returns the same estimate as the in-process table
//! ([`Window::estimate`](ironward_core::state::Window::estimate)): the slots wholly inside the
//! window plus the oldest slot scaled by the part of it still inside. A time earlier than `t`
//! (a clock behind another host's) counts as `t`, as the in-process table treats a clock
//! going back. The hash expires one window and one slot after its last update, so idle IPs
//! cost nothing.
//!
//! Times are the callers' (the engines' clocks), so hosts must have synchronised clocks; a
//! skew of a fraction of a slot (one eighth of the window) shifts counts by at most that
//! slot's share.
//!
//! ## The blacklist
//! One sorted set per application: member = IP, score = the deadline in milliseconds since the
//! epoch. Adding keeps the later deadline, drops expired entries and, past
//! `BLACKLIST_MAX_SIZE`, the entries closest to expiry (as the in-process blacklist does), and
//! publishes the entry on the application's channel: `+<ip> <deadline>`; removing publishes
//! `-<ip>`; clearing publishes `*`.

use ironward_core::state::{Counter, Window};
use redis::Script;
use std::net::IpAddr;

/// Counts one event and returns the window's count.
/// `KEYS[1]` the counter hash; `ARGV`: now (ms), window (ms), slot width (ms).
const HIT: &str = r"
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local slot = tonumber(ARGV[3])
local last = tonumber(redis.call('HGET', KEYS[1], 't') or now)
if last > now then now = last end
local cur = math.floor(now / slot)
redis.call('HINCRBY', KEYS[1], string.format('%d', cur), 1)
redis.call('HSET', KEYS[1], 't', string.format('%d', now))
local start = now - window
local first = math.floor(start / slot)
local all = redis.call('HGETALL', KEYS[1])
local whole, oldest = 0, 0
for i = 1, #all, 2 do
  local f = all[i]
  if f ~= 't' then
    local s = tonumber(f)
    local n = tonumber(all[i + 1])
    if s < first then
      redis.call('HDEL', KEYS[1], f)
    elseif s == first then
      oldest = n
    else
      whole = whole + n
    end
  end
end
local inside = slot - 1 - (start % slot)
redis.call('PEXPIRE', KEYS[1], window + slot)
return whole + math.floor(oldest * inside / slot)
";

/// Blacklists an IP (the later deadline wins), bounds the set, publishes the entry.
/// `KEYS[1]` the set; `ARGV`: ip, deadline (ms), now (ms), max size, channel.
const BLACKLIST_ADD: &str = r"
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local exp = tonumber(ARGV[2])
local old = redis.call('ZSCORE', KEYS[1], ARGV[1])
if old and tonumber(old) > exp then exp = tonumber(old) end
redis.call('ZADD', KEYS[1], string.format('%d', exp), ARGV[1])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if extra > 0 then redis.call('ZPOPMIN', KEYS[1], extra) end
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if top[2] then redis.call('PEXPIREAT', KEYS[1], top[2]) end
redis.call('PUBLISH', ARGV[5], '+' .. ARGV[1] .. ' ' .. string.format('%d', exp))
return 1
";

/// Removes an IP and publishes the removal. `KEYS[1]` the set; `ARGV`: ip, channel.
const BLACKLIST_REMOVE: &str = r"
local n = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], '-' .. ARGV[1])
return n
";

/// The scripts, hashed once.
#[derive(Debug)]
pub(crate) struct Scripts {
    pub(crate) hit: Script,
    pub(crate) blacklist_add: Script,
    pub(crate) blacklist_remove: Script,
}

impl Scripts {
    pub(crate) fn new() -> Scripts {
        Scripts {
            hit: Script::new(HIT),
            blacklist_add: Script::new(BLACKLIST_ADD),
            blacklist_remove: Script::new(BLACKLIST_REMOVE),
        }
    }

    /// Sends every script to a new connection, so that calls on the request path are one
    /// `EVALSHA` each.
    pub(crate) fn load(&self, con: &mut crate::target::Con) -> redis::RedisResult<()> {
        for s in [&self.hit, &self.blacklist_add, &self.blacklist_remove] {
            s.prepare_invoke().load(con)?;
        }
        Ok(())
    }
}

/// The names of an application's keys and channel.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    prefix: String,
    /// The blacklist's sorted set.
    pub(crate) blacklist: String,
    /// The blacklist's pub/sub channel.
    pub(crate) channel: String,
    /// The marker telling a Redis that kept its data from one that lost it
    /// ([`crate::epoch`]), in the blacklist's hash slot.
    pub(crate) epoch: String,
}

/// The hash tag of a key as Redis Cluster reads it: what lies between the first `{` and the
/// first `}` after it, when that is not empty.
fn hash_tag(key: &str) -> Option<&str> {
    let (_, rest) = key.split_once('{')?;
    let (tag, _) = rest.split_once('}')?;
    (!tag.is_empty()).then_some(tag)
}

impl Keys {
    pub(crate) fn new(prefix: &str) -> Keys {
        let blacklist = format!("{prefix}:blacklist");
        // On a cluster the marker must live (and be lost) with the blacklist: same slot. A
        // prefix with a hash tag gives `<prefix>:epoch` that tag; otherwise the blacklist's
        // whole name is the tag (a name holding a lone `}` cannot be one: such a prefix
        // leaves the marker on its own slot).
        let epoch = if hash_tag(&blacklist).is_some() || blacklist.contains('}') {
            format!("{prefix}:epoch")
        } else {
            format!("{{{blacklist}}}:epoch")
        };
        Keys {
            prefix: prefix.to_owned(),
            channel: format!("{prefix}:blacklist:events"),
            blacklist,
            epoch,
        }
    }

    /// The hash of one IP's counter: `<prefix>:<flood|brute>:<ip>`.
    pub(crate) fn counter(&self, counter: Counter, ip: IpAddr) -> String {
        format!("{}:{}:{ip}", self.prefix, counter.name())
    }

    /// A `SCAN MATCH` pattern for every key of one counter kind (the prefix's glob
    /// characters escaped).
    pub(crate) fn counter_pattern(&self, counter: Counter) -> String {
        let mut p = String::with_capacity(self.prefix.len() + 10);
        for c in self.prefix.chars() {
            if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                p.push('\\');
            }
            p.push(c);
        }
        format!("{p}:{}:*", counter.name())
    }

    /// The counter hash the connection probe writes to.
    pub(crate) fn probe(&self) -> String {
        format!("{}:probe", self.prefix)
    }
}

/// A blacklist change, as published on the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Message {
    /// `+<ip> <deadline>`.
    Add(IpAddr, i64),
    /// `-<ip>`.
    Remove(IpAddr),
    /// `*`.
    Clear,
}

impl Message {
    /// Parses a published message; `None` for anything else (ignored).
    pub(crate) fn parse(text: &str) -> Option<Message> {
        if text == "*" {
            return Some(Message::Clear);
        }
        if let Some(rest) = text.strip_prefix('+') {
            let (ip, deadline) = rest.split_once(' ')?;
            return Some(Message::Add(ip.parse().ok()?, deadline.parse().ok()?));
        }
        text.strip_prefix('-')
            .and_then(|ip| ip.parse().ok())
            .map(Message::Remove)
    }
}

/// The arguments of the counter script for a window at `now_ms`.
pub(crate) fn hit_args(window: Window, now_ms: i64) -> [i64; 3] {
    // Lua numbers are doubles: times beyond 2^53 ms (the year 287,396) are clamped.
    const MAX: i64 = 1 << 53;
    [
        now_ms.clamp(-MAX, MAX),
        window.window_ms.min(MAX),
        window.slot_ms,
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_junk_is_ignored() {
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(
            Message::parse("+192.0.2.1 1800000000000"),
            Some(Message::Add(v4, 1_800_000_000_000))
        );
        assert_eq!(Message::parse("-2001:db8::1"), Some(Message::Remove(v6)));
        assert_eq!(Message::parse("*"), Some(Message::Clear));
        for junk in [
            "",
            "+",
            "+1.2.3.4",
            "+x 5",
            "+1.2.3.4 x",
            "-",
            "-x",
            "hello",
        ] {
            assert_eq!(Message::parse(junk), None, "{junk}");
        }
    }

    #[test]
    fn keys_are_prefixed_and_patterns_escaped() {
        let k = Keys::new("ironward:shop");
        let ip: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(
            k.counter(Counter::Flood, ip),
            "ironward:shop:flood:2001:db8::1"
        );
        assert_eq!(k.blacklist, "ironward:shop:blacklist");
        assert_eq!(k.channel, "ironward:shop:blacklist:events");
        assert_eq!(k.epoch, "{ironward:shop:blacklist}:epoch");
        assert_eq!(Keys::new("{shop}").epoch, "{shop}:epoch");
        for prefix in ["ironward:shop", "{shop}", "a{b}c", "x{"] {
            let k = Keys::new(prefix);
            let tag = |key: &str| hash_tag(key).unwrap_or(key).to_owned();
            assert_eq!(tag(&k.epoch), tag(&k.blacklist), "{prefix}: same slot");
        }
        assert_eq!(
            Keys::new("a*b[1]").counter_pattern(Counter::Brute),
            "a\\*b\\[1\\]:brute:*"
        );
    }

    #[test]
    fn arguments_fit_lua_numbers() {
        let w = Window::new(60_000);
        assert_eq!(hit_args(w, 5), [5, 60_000, 7_500]);
        assert_eq!(hit_args(Window::new(i64::MAX), i64::MAX)[0], 1 << 53);
    }
}
