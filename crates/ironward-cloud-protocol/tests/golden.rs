//! Golden tests: JSON documents captured from an unmodified pyrasp 0.10.2 agent (requests) and the
//! answers it accepted (responses) parse into the wire types and re-serialise to the same JSON.
//! The fixtures are frozen: a change here is a protocol change (bump `PROTOCOL_VERSION`).

use ironward_cloud_protocol::{
    BeaconData, BeaconRequest, BlacklistEntry, ConnectData, ConnectRequest, Envelope,
    PROTOCOL_VERSION, PYRASP_VERSION,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses the fixture as `T`, re-serialises it and compares the two JSON values.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let original = fixture(name);
    let parsed: T = serde_json::from_value(original.clone())
        .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
    let again = serde_json::to_value(&parsed).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(again, original, "{name} does not round-trip");
    parsed
}

#[test]
fn versions_are_pinned() {
    assert_eq!(PROTOCOL_VERSION, 1);
    assert_eq!(PYRASP_VERSION, "0.10.2");
}

#[test]
fn connect_request_round_trips() {
    let request: ConnectRequest = round_trip("connect-request.json");
    assert_eq!(request.version, "0.10.2");
    assert_eq!(request.platform, "Flask");
    assert_eq!(request.routes["item"].path, "/items/<int:item_id>");
    assert!(request.routes["item"].methods.contains(&"PUT".to_owned()));
}

#[test]
fn connect_response_round_trips() {
    let answer: Envelope<ConnectData> = round_trip("connect-response.json");
    assert!(answer.status);
    let config = answer.data.config.as_ref().map(|c| c.len());
    assert_eq!(config, Some(7));
    assert_eq!(
        answer.data.blacklist.map(|b| b["203.0.113.9"]),
        Some(1796519262)
    );
}

#[test]
fn beacon_requests_round_trip() {
    let full: BeaconRequest = round_trip("beacon-request-telemetry-blacklist.json");
    let telemetry = full.telemetry.unwrap_or_default();
    assert_eq!(telemetry.requests.attacks, 4);
    assert_eq!(
        full.blacklist,
        Some(vec![BlacklistEntry::new("198.51.100.7", 1796519265)])
    );

    let idle: BeaconRequest = round_trip("beacon-request-idle.json");
    assert_eq!(idle.blacklist, Some(vec![]));

    let bare: BeaconRequest = round_trip("beacon-request-bare.json");
    assert_eq!((bare.telemetry, bare.blacklist), (None, None));

    // Beacons enabled locally without `cloud_url`: pyrasp sends `"key": null`.
    let keyless: BeaconRequest = round_trip("beacon-request-null-key.json");
    assert_eq!(keyless.key, None);
}

#[test]
fn beacon_responses_round_trip() {
    for name in [
        "beacon-response-empty.json",
        "beacon-response-partial-config.json",
        "beacon-response-dotted-check.json",
        "beacon-response-template-switch.json",
        "beacon-response-blacklist-delta.json",
    ] {
        let answer: Envelope<BeaconData> = round_trip(name);
        assert!(answer.status, "{name}");
    }
    let delta: Envelope<BeaconData> = round_trip("beacon-response-blacklist-delta.json");
    let delta = delta.data.blacklist.unwrap_or_default();
    assert_eq!(delta.new, ["192.0.2.50"]);
    assert_eq!(delta.remove, ["198.51.100.7", "203.0.113.9"]);
    let switch: Envelope<BeaconData> = round_trip("beacon-response-template-switch.json");
    assert_eq!(switch.data.template.as_deref(), Some("audit"));
}

#[test]
fn error_envelope_is_what_we_send() {
    let answer: Envelope<BeaconData> = round_trip("error-invalid-key.json");
    assert!(!answer.status);
    let ours = serde_json::to_value(Envelope::<BeaconData>::error("Invalid key")).ok();
    assert_eq!(ours, Some(fixture("error-invalid-key.json")));
}

#[test]
fn input_is_tolerant() {
    // Unknown fields everywhere, a float timestamp, a serverless route list, no message, null data.
    let connect: ConnectRequest = serde_json::from_value(json!({
        "key": "k", "version": "0.10.2", "platform": "AWS Lambda", "routes": [], "extra": 1
    }))
    .unwrap_or_default();
    assert_eq!(connect.platform, "AWS Lambda");
    assert!(connect.routes.is_empty());

    let beacon: BeaconRequest = serde_json::from_value(json!({
        "key": "k", "version": "9", "blacklist": [["192.0.2.1", 1796519265.9]],
        "telemetry": {"cpu": 1, "memory": 2.5, "requests": {"success": 1}, "disk": 3}
    }))
    .unwrap_or_default();
    assert_eq!(
        beacon.blacklist,
        Some(vec![BlacklistEntry::new("192.0.2.1", 1796519265)])
    );
    assert_eq!(beacon.telemetry.map(|t| t.requests.success), Some(1));

    let answer: Envelope<BeaconData> =
        serde_json::from_value(json!({"status": true, "data": null})).unwrap_or_default();
    assert!(answer.status && answer.data == BeaconData::default());

    // What pyrasp ignores reads as absent: a non-object config, a connect-shaped blacklist map in
    // a beacon answer (no `new`/`remove`), a non-string template, a non-numeric blacklist time.
    let answer: Envelope<BeaconData> = serde_json::from_value(json!({
        "status": true, "message": "",
        "data": {"config": [1], "template": 3, "blacklist": {"192.0.2.9": 1}, "later": true}
    }))
    .unwrap_or_default();
    assert_eq!(answer.data.config, None);
    assert_eq!(answer.data.template, None);
    assert_eq!(answer.data.blacklist, Some(Default::default()));
    let connect: Envelope<ConnectData> = serde_json::from_value(json!({
        "status": true, "message": "", "data": {"blacklist": {"192.0.2.9": "x", "192.0.2.8": 5}}
    }))
    .unwrap_or_default();
    assert_eq!(connect.data.blacklist.map(|b| b.len()), Some(1));
}

#[test]
fn output_is_exact() {
    // Optional fields are left out, not sent as null; data is always an object.
    let empty = serde_json::to_value(Envelope::ok("ok", BeaconData::default())).ok();
    assert_eq!(
        empty,
        Some(json!({"status": true, "message": "ok", "data": {}}))
    );
    let bare = serde_json::to_value(BeaconRequest {
        key: Some("k".into()),
        version: "0.1.0".into(),
        ..Default::default()
    })
    .ok();
    assert_eq!(bare, Some(json!({"key": "k", "version": "0.1.0"})));
    let mut data = BeaconData::default();
    data.blacklist_mut().new.push("192.0.2.1".into());
    let sent = serde_json::to_value(Envelope::ok("", data)).ok();
    assert_eq!(
        sent,
        Some(
            json!({"status": true, "message": "", "data": {"blacklist": {"new": ["192.0.2.1"], "remove": []}}})
        )
    );
}

/// Ironward's extension: the optional `instance` field (not a pyrasp capture; pyrasp never
/// sends it, and the captured requests above still round-trip without it).
#[test]
fn instance_extension_round_trips() {
    let id = Some("5f0c2a9e4b7d4c1e8a3f6b2d9e0c7a14".to_owned());
    let connect: ConnectRequest = round_trip("connect-request-instance.json");
    assert_eq!(connect.instance, id);
    let beacon: BeaconRequest = round_trip("beacon-request-instance.json");
    assert_eq!(beacon.instance, id);
    let pyrasp: BeaconRequest = round_trip("beacon-request-bare.json");
    assert_eq!(pyrasp.instance, None);
    // A non-string instance reads as absent (a beacon without one).
    let odd: BeaconRequest =
        serde_json::from_value(json!({"key": "k", "version": "1", "instance": 7}))
            .unwrap_or_default();
    assert_eq!((odd.key.as_deref(), odd.instance), (Some("k"), None));
}
