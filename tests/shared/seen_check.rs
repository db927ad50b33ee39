//! A check of the tests' own, shared by the hot-reload tests of `ironward-tower`,
//! `ironward-actix` and `ironward-cloud-client` (included with `#[path]`): it records the
//! `X-Req-Id` of every request it inspects. The same instance runs in every engine
//! (`Engine::add_shared_check`), so its counts are kept across reloads: every id counted once
//! means every request was inspected exactly once, by one engine.

use std::collections::HashMap;
use std::sync::Mutex;

use ironward_core::check::{Check, CheckId, RequestContext};
use ironward_core::verdict::Finding;

/// How many times each `X-Req-Id` was inspected.
#[derive(Debug, Default)]
pub(crate) struct Seen(pub(crate) Mutex<HashMap<String, u32>>);

impl Check for Seen {
    fn id(&self) -> CheckId {
        CheckId::Hpp
    }
    fn check_request(&self, ctx: &RequestContext<'_, '_>, _: &mut Vec<Finding>) {
        if let Some(id) = ctx.request.headers.get("x-req-id") {
            let id = String::from_utf8_lossy(id).into_owned();
            *self.0.lock().unwrap().entry(id).or_default() += 1;
        }
    }
}
