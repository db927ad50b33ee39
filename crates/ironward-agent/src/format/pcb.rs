//! `LOG_FORMAT=pcb`: pyrasp's `pcb` document (no time field, as pyrasp):
//!
//! `{"application":"Web Server","log_type":"security","log_data":["sqli","8.8.8.8","United States",null,{"location":"qs_values","payload":"JyBvciAxPTEgLS0=","score":0.99,"action":2,"codes":["T1190","PCB006","IW006"],"path":"/search"}]}`
//!
//! The fourth element is pyrasp's `user`, always `null`; the fifth is the same details object
//! as the `json` format.

use super::json::{Details, Item};
use super::{Formatter, ip_text};
use ironward_core::event::Event;
use serde::Serialize;

#[derive(Serialize)]
struct Document<'a> {
    application: &'a str,
    log_type: &'static str,
    log_data: [Item<'a>; 5],
}

/// Renders the document.
pub(super) fn render(fmt: &Formatter, event: &Event, country: &str) -> String {
    let doc = Document {
        application: &fmt.app_name,
        log_type: "security",
        log_data: [
            Item::Text(event.check.key().to_owned()),
            Item::Text(ip_text(event)),
            Item::Text(country.to_owned()),
            Item::Null(None),
            Item::Details(Details::new(fmt, event)),
        ],
    };
    serde_json::to_string(&doc).unwrap_or_default()
}
