//! Prints the inputs the engine extracts from a reference request: location, decodings, value.
//! `cargo run --release -p ironward-core --example inputs [plain_get|get_10_params|json_post_2kb|attack_get]`
#![allow(clippy::unwrap_used, clippy::print_stdout)]
use ironward_core::config::Config;
use ironward_core::engine::Engine;
use ironward_core::reference::reference_requests;
fn main() {
    let e = Engine::new(Config::default()).unwrap();
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "plain_get".to_owned());
    let all = reference_requests();
    let r = all.iter().find(|r| r.name == name).unwrap_or(&all[0]);
    let req = r.request();
    let inputs = e.extract(&req);
    for i in &inputs.items {
        println!(
            "{:<15} {:?} {:?}",
            i.location.as_str(),
            i.transforms.names().collect::<Vec<_>>(),
            i.value
        );
    }
}
