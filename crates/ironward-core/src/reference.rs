//! The reference requests every Ironward benchmark measures, defined once so that figures from
//! the core, the adapters and the Python package compare: a plain GET, a GET with ten benign
//! parameters, a 2 KB JSON POST, and a GET carrying an attack.

use crate::request::{Header, Headers, Request};

/// One reference request, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceRequest {
    /// A short name (`plain_get`, `get_10_params`, `json_post_2kb`, `attack_get`).
    pub name: &'static str,
    /// The method.
    pub method: &'static str,
    /// The request target: path and query.
    pub target: String,
    /// The headers, in order.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl ReferenceRequest {
    /// The request as the engine sees it, from a documentation-range peer.
    pub fn request(&self) -> Request<'_> {
        let headers = Headers(
            self.headers
                .iter()
                .map(|(n, v)| Header::new(n, v))
                .collect(),
        );
        let mut r = Request::new(self.method, &self.target)
            .with_headers(headers)
            .with_body(&self.body);
        r.peer_ip = Some(std::net::IpAddr::from([198, 51, 100, 20]));
        r
    }
}

fn browser_headers() -> Vec<(&'static str, String)> {
    [
        ("Host", "shop.example.com"),
        (
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        ),
        (
            "Accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        ),
        ("Accept-Language", "en-US,en;q=0.5"),
        ("Accept-Encoding", "gzip, deflate, br"),
        ("Referer", "https://shop.example.com/catalog?category=shoes"),
        (
            "Cookie",
            "session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark; consent=yes",
        ),
        ("Connection", "keep-alive"),
    ]
    .into_iter()
    .map(|(n, v)| (n, v.to_owned()))
    .collect()
}

/// A 2 KB JSON order, realistic in shape: nested objects, arrays, numbers, free text.
fn json_body() -> Vec<u8> {
    let mut items = Vec::new();
    for i in 0..15 {
        items.push(format!(
            r#"{{"sku":"SKU-{i:05}","name":"Trail running shoe model {i}","qty":{},"price":{}.99,"tags":["sport","outdoor"],"gift":false}}"#,
            i % 3 + 1,
            40 + i
        ));
    }
    format!(
        r#"{{"customer":{{"id":48213,"name":"Ada O'Brien","email":"ada.obrien@example.com","address":{{"street":"12 Harbour Road","city":"Cork","zip":"T12 X70A","country":"IE"}}}},"items":[{}],"notes":"Please leave the parcel at the side door, thanks!","coupon":null}}"#,
        items.join(",")
    )
    .into_bytes()
}

/// All reference requests.
pub fn reference_requests() -> Vec<ReferenceRequest> {
    let mut json_headers = browser_headers();
    json_headers.push(("Content-Type", "application/json".to_owned()));
    vec![
        ReferenceRequest {
            name: "plain_get",
            method: "GET",
            target: "/".to_owned(),
            headers: browser_headers(),
            body: Vec::new(),
        },
        ReferenceRequest {
            name: "get_10_params",
            method: "GET",
            target: "/search?q=running+shoes&category=sport&size=42&color=blue&sort=price_asc\
                     &page=2&per_page=24&brand=Acme&min_price=20&max_price=150"
                .to_owned(),
            headers: browser_headers(),
            body: Vec::new(),
        },
        ReferenceRequest {
            name: "json_post_2kb",
            method: "POST",
            target: "/api/orders".to_owned(),
            headers: json_headers,
            body: json_body(),
        },
        ReferenceRequest {
            name: "attack_get",
            method: "GET",
            target: "/search?q=1%27%20OR%20%271%27%3D%271%27%20--%20&category=sport".to_owned(),
            headers: browser_headers(),
            body: Vec::new(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let all = reference_requests();
        assert_eq!(all.len(), 4);
        let json = &all[2];
        assert!(
            (1800..2600).contains(&json.body.len()),
            "{}",
            json.body.len()
        );
        assert!(serde_json::from_slice::<serde_json::Value>(&json.body).is_ok());
        assert_eq!(all[1].request().query.split('&').count(), 10);
    }
}
