//! Synthetic benign values for what the shared datasets lack: the everyday text of web forms
//! that *looks* like SQL or HTML — English with SQL keywords, names with apostrophes, prices and
//! percentages, dashes, markdown, small formatting markup, code-ish snippets, identifiers.
//! Seeded, so a training run is reproducible.

use crate::data::Row;
use ironward_ml::train::SplitMix;

const SQLISH: &[&str] = &[
    "select a plan from the menu",
    "Select the larger size from the drop-down",
    "Order by date",
    "order by price, then by rating",
    "Union Station to {city}",
    "drop me a line at {email}",
    "Update your profile and then select a new avatar",
    "where is the {noun}?",
    "insert the {noun} into the slot",
    "delete my account please",
    "Join us for dinner -- {day} at {hour}pm",
    "50% off -- today only",
    "{n}% off everything -- ends {day}",
    "and/or",
    "black and white or colour?",
    "Either {noun} or {noun2}, not both",
    "1 or 2 guests",
    "{n} or more",
    "between {n} and {m} years",
    "Table for {n}; window seat if possible",
    "case closed; thanks",
    "Having trouble with the {noun}",
    "group by {noun}",
    "like new, barely used",
    "all in all a great {noun}",
    "exec summary -- {topic}",
    "Declare your items at customs",
    "Sleep better with our {noun}",
    "from {city} to {city2}",
    "is null and void",
    "true or false",
    "it's {noun}-proof",
    "the values (a, b, c) are listed",
    "top {n} {noun}s of {year}",
    "Count me in!",
    "create an account or log in",
    "having said that, I'd buy it again",
    "rating >= {n} stars",
    "price < {n} and size = M",
    "x = {n}, y = {m}",
    "a=b",
    "1-{n}",
    "{n}-{m}",
    "#{n} in {topic}",
    "@{first} thanks!",
    "{first}'s {noun}",
    "{first} O'{last}",
    "{first} D'{last}",
    "Mc{last} & Sons",
    "Rock 'n' roll",
    "don't stop; won't stop",
    "I'm {n}'{m}\" tall",
    "'{noun}' is spelled wrong",
    "\"{noun}\" -- {first} {last}",
    "She said 'hi' -- then left",
    "{first}'s and {first2}'s",
    "can't login -- error {n}",
    "user '{first}' not found",
    "SELECT",
    "union",
    "sleep",
];

const MARKUP: &[&str] = &[
    "<b>{noun}</b>",
    "<i>{noun}</i> and <b>{noun2}</b>",
    "<p>{first} wrote: great {noun}</p>",
    "<br>",
    "line one<br/>line two",
    "<a href=\"https://{host}/{noun}\">{noun}</a>",
    "<img src=\"https://{host}/img/{n}.png\" alt=\"{noun}\">",
    "<ul><li>{noun}</li><li>{noun2}</li></ul>",
    "<strong>{n}% off</strong>",
    "<em>{noun}</em>",
    "<code>{noun}_{n}</code>",
    "<blockquote>{noun}</blockquote>",
    "<h2>{topic}</h2>",
    "a < b and c > d",
    "x<{n}",
    "{n} < {m}",
    "<3 love it",
    "<- back",
    "=> next",
    "{first} {last} <{email}>",
    "List<String>",
    "Vec<u8>",
    "Map<String, Integer>",
    "**{noun}**",
    "_{noun}_",
    "[{noun}](https://{host}/{noun})",
    "`{noun}()`",
    "# {topic}",
    "- [x] {noun}",
    "> {first} said {noun}",
    "1. {noun}\n2. {noun2}",
    "javascript tutorial for beginners",
    "click here: https://{host}/{noun}",
    "onion={n}",
    "display=on&online={n}",
    "I'm on call",
    "alert: {noun} is back in stock",
    "print(\"{noun}\")",
    "console.log('{noun}')",
    "if (a && b) { return {n}; }",
    "f(x) = {n}x + {m}",
    "{noun}() returns {n}",
    "=SUM(A1:A{n})",
    "#{n} {noun}",
    "{{{{ {noun} }}}}",
];

const NOUNS: &[&str] = &[
    "order",
    "table",
    "menu",
    "plan",
    "user",
    "shoes",
    "lamp",
    "ticket",
    "invoice",
    "group",
    "union",
    "select",
    "update",
    "script",
    "style",
    "image",
    "frame",
    "object",
    "value",
    "window",
    "document",
    "cookie",
    "alert",
    "prompt",
    "version",
    "database",
    "schema",
    "sleep",
    "delay",
    "benchmark",
    "char",
    "concat",
    "null",
    "case",
    "exec",
    "drop",
    "insert",
    "where",
];
const FIRST: &[&str] = &[
    "Alice", "Sean", "Aoife", "Conor", "Marie", "Jean", "Niamh", "Patrick", "Giulia", "Omar",
    "Yuki", "Ana", "Liam", "Chloe",
];
const LAST: &[&str] = &[
    "Brien", "Connor", "Angelo", "Neill", "Reilly", "Souza", "Arcy", "Hara", "Leary", "Donnell",
    "Smith", "Nguyen", "Kowalski",
];
const CITIES: &[&str] = &[
    "Paris", "Dublin", "Lisbon", "Chicago", "Denver", "Osaka", "Lagos",
];
const DAYS: &[&str] = &["Monday", "Friday", "Sunday", "tomorrow", "today"];
const TOPICS: &[&str] = &[
    "shipping",
    "billing",
    "security",
    "SQL basics",
    "HTML forms",
];
const HOSTS: &[&str] = &["example.com", "shop.example.org", "cdn.example.net"];

fn pick<'a>(r: &mut SplitMix, list: &[&'a str]) -> &'a str {
    list[r.below(list.len())]
}

fn fill(r: &mut SplitMix, template: &str) -> String {
    let n = r.below(100).to_string();
    let m = r.below(1000).to_string();
    let first = pick(r, FIRST);
    let last = pick(r, LAST);
    let pairs: [(&str, String); 15] = [
        ("{noun}", pick(r, NOUNS).to_owned()),
        ("{noun2}", pick(r, NOUNS).to_owned()),
        ("{first}", first.to_owned()),
        ("{first2}", pick(r, FIRST).to_owned()),
        ("{last}", last.to_owned()),
        ("{city}", pick(r, CITIES).to_owned()),
        ("{city2}", pick(r, CITIES).to_owned()),
        ("{day}", pick(r, DAYS).to_owned()),
        ("{topic}", pick(r, TOPICS).to_owned()),
        ("{host}", pick(r, HOSTS).to_owned()),
        (
            "{email}",
            format!(
                "{}.{}@example.com",
                first.to_lowercase(),
                last.to_lowercase()
            ),
        ),
        ("{hour}", (1 + r.below(11)).to_string()),
        ("{year}", (1990 + r.below(40)).to_string()),
        ("{n}", n),
        ("{m}", m),
    ];
    let mut out = template.to_owned();
    for (k, v) in &pairs {
        out = out.replace(k, v);
    }
    // Some values arrive upper-cased or title-cased.
    match r.below(6) {
        0 => out.to_uppercase(),
        1 => out.to_lowercase(),
        _ => out,
    }
}

/// `count` synthetic benign values, reproducible for a seed.
pub(crate) fn benign(seed: u64, count: usize) -> Vec<Row> {
    let mut r = SplitMix::new(seed);
    (0..count)
        .map(|i| {
            let (list, source) = if i % 2 == 0 {
                (SQLISH, "synthetic:sqlish")
            } else {
                (MARKUP, "synthetic:markup")
            };
            let t = pick(&mut r, list);
            Row {
                text: fill(&mut r, t),
                label: "benign".to_owned(),
                source: source.to_owned(),
            }
        })
        .collect()
}
