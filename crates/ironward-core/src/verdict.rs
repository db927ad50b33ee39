//! What the engine decided about a request or a response, and what the adapter must do.

use crate::check::CheckId;
use crate::config::{BlockAction, Config, Level};
use crate::input::LimitReport;
use crate::sink::SinkDetail;
use serde::Serialize;
use std::net::IpAddr;

/// The action an adapter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Nothing found: pass the request or response on.
    #[default]
    Allow,
    /// Something was found at monitor level: pass it on and report.
    Monitor,
    /// Block with the `BLOCK_*` response.
    Block,
    /// Block with the `BLACKLIST_*` response; the source IP has been blacklisted.
    BlockAndBlacklist,
}

impl Action {
    /// The action a finding at this level asks for.
    pub const fn from_level(level: Level) -> Action {
        match level {
            Level::Off => Action::Allow,
            Level::Monitor => Action::Monitor,
            Level::Block => Action::Block,
            Level::BlockBlacklist => Action::BlockAndBlacklist,
        }
    }

    /// True when the adapter must not pass the request or response on.
    pub const fn is_block(self) -> bool {
        matches!(self, Action::Block | Action::BlockAndBlacklist)
    }

    /// The action's name, as in events.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Monitor => "monitor",
            Action::Block => "block",
            Action::BlockAndBlacklist => "block_and_blacklist",
        }
    }
}

/// One thing a check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The check that fired.
    pub check: CheckId,
    /// The level the check runs at.
    #[serde(skip)]
    pub level: Level,
    /// Where: an input location (`qs_values`…) or a check-specific place (`source_ip`,
    /// `request`, `filename`…).
    pub location: &'static str,
    /// The offending value (the decoded form that fired, cut to a reasonable length).
    pub payload: String,
    /// The detector's score in `[0, 1]`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// The detection engine that fired (`ml`, `structure`, `rule`…), when it matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<&'static str>,
    /// For a finding of a sink check: the sink, the operation, the reason and the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sink: Option<Box<SinkDetail>>,
}

/// The location of the finding for a body longer than `MAX_BODY_BYTES` (check `format`): its
/// blocking response is `413 Payload Too Large`.
pub const BODY_LIMIT_LOCATION: &str = "body_limit";

/// Longest payload kept in a finding, in bytes; longer ones are cut at a character boundary.
pub const MAX_PAYLOAD_REPORTED: usize = 1024;

impl Finding {
    /// A finding, with the payload cut to [`MAX_PAYLOAD_REPORTED`] bytes.
    pub fn new(check: CheckId, location: &'static str, payload: &str) -> Self {
        let mut end = payload.len().min(MAX_PAYLOAD_REPORTED);
        while !payload.is_char_boundary(end) {
            end -= 1;
        }
        Finding {
            check,
            level: Level::Block,
            location,
            payload: payload[..end].to_owned(),
            score: None,
            engine: None,
            sink: None,
        }
    }

    /// Sets the score.
    #[must_use]
    pub fn with_score(mut self, score: f32) -> Self {
        self.score = Some(score);
        self
    }

    /// Sets the engine name.
    #[must_use]
    pub fn with_engine(mut self, engine: &'static str) -> Self {
        self.engine = Some(engine);
        self
    }

    /// The action this finding asks for.
    pub fn action(&self) -> Action {
        Action::from_level(self.level)
    }
}

/// The response an adapter sends instead of the application's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockResponse {
    /// `block` or `redirect`.
    pub action: BlockAction,
    /// The status code.
    pub status: u16,
    /// The body (`block`) or the `Location` URL (`redirect`).
    pub content: String,
}

impl BlockResponse {
    /// A plain response with the status the application itself would give (404, 405), used
    /// for route and method findings with `NATIVE_ROUTE_STATUS`.
    pub fn native(status: u16, content: &str) -> BlockResponse {
        BlockResponse {
            action: BlockAction::Block,
            status,
            content: content.to_owned(),
        }
    }

    /// The configured response for an action: `BLACKLIST_*` for blacklisting, else `BLOCK_*`.
    pub fn for_action(config: &Config, action: Action) -> BlockResponse {
        if action == Action::BlockAndBlacklist && !config.blacklist_override {
            BlockResponse {
                action: config.blacklist_action,
                status: config.blacklist_status_code,
                content: config.blacklist_action_content.clone(),
            }
        } else {
            BlockResponse {
                action: config.block_action,
                status: config.block_status_code,
                content: config.block_action_content.clone(),
            }
        }
    }
}

/// Why no check ran, when none did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Skipped {
    /// The client IP is whitelisted.
    Whitelisted,
    /// The path is in `IGNORE_PATHS`.
    IgnoredPath,
}

/// The engine's decision about a request or a response.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Verdict {
    /// What the adapter must do.
    pub action: Action,
    /// What was found, in pipeline order. The blocking finding, if any, is last.
    pub findings: Vec<Finding>,
    /// The response to send when blocking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<BlockResponse>,
    /// The client IP the engine settled on (peer, or forwarded through a trusted proxy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<IpAddr>,
    /// Set when the checks were skipped on purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Skipped>,
    /// What limits cut while extracting inputs.
    #[serde(skip_serializing_if = "LimitReport::is_clean")]
    pub limits: LimitReport,
    /// Set when the engine failed internally; `action` then follows `FAIL_OPEN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_error: Option<String>,
}

impl Verdict {
    /// True when the adapter must block.
    pub fn is_blocked(&self) -> bool {
        self.action.is_block()
    }

    /// The finding that decided a block, if the verdict blocks.
    pub fn blocking_finding(&self) -> Option<&Finding> {
        self.findings.iter().rev().find(|f| f.action().is_block())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_cut_on_a_char_boundary() {
        let long = "é".repeat(MAX_PAYLOAD_REPORTED);
        let f = Finding::new(CheckId::Sqli, "qs_values", &long);
        assert!(f.payload.len() <= MAX_PAYLOAD_REPORTED);
        assert!(f.payload.chars().all(|c| c == 'é'));
    }

    #[test]
    fn block_response_follows_the_action() {
        let mut c = Config::default();
        c.blacklist_status_code = 429;
        assert_eq!(
            BlockResponse::for_action(&c, Action::BlockAndBlacklist).status,
            429
        );
        assert_eq!(BlockResponse::for_action(&c, Action::Block).status, 403);
        c.blacklist_override = true;
        assert_eq!(
            BlockResponse::for_action(&c, Action::BlockAndBlacklist).status,
            403
        );
    }

    #[test]
    fn actions_order_by_severity() {
        assert!(Action::BlockAndBlacklist > Action::Block);
        assert!(Action::Block > Action::Monitor);
        assert!(Action::Monitor > Action::Allow);
    }
}
