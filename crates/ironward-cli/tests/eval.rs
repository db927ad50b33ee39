//! `ironward eval`: the real binary on the labelled examples of `examples/eval/` and on small
//! files written here.

use super::{bin, repo, run_stdin, temp};
use std::path::PathBuf;
use std::process::Output;

fn example() -> PathBuf {
    repo().join("examples/eval/labelled.jsonl")
}

/// The configuration of the exact-figures tests: the score-based checks (still being tuned)
/// off, so that only rule checks judge, and `command` at monitor level.
const PINNED: [&str; 6] = [
    "--set",
    "SECURITY_CHECKS.sqli=0",
    "--set",
    "SECURITY_CHECKS.xss=0",
    "--set",
    "SECURITY_CHECKS.command=3",
];

fn eval(args: &[&str]) -> Output {
    bin().arg("eval").args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_table_has_exact_figures() {
    let data = example();
    let mut args = vec!["--data", data.to_str().unwrap()];
    args.extend(PINNED);
    let out = eval(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let expected = "\
15 labelled records from 1 file(s); SQLI_PROBA 0.7, XSS_PROBA 0.8
skipped: 1 without a label

label            records  detected   blocked  rate
cmdi                   3         2         1  66.7 % detected
decoy                  1         1         1  100.0 % detected
path_traversal         2         2         2  100.0 % detected
sqli                   1         0         0  0.0 % detected
xss                    1         0         0  0.0 % detected
benign                 7         1         1  14.3 % false positives

overall    TP 5   FN 3   FP 1   TN 6
           precision 83.3 %   recall 62.5 %   F1 71.4 %   FP rate 14.3 %

checks fired (share of the label's records):
  cmdi            command 66.7 %, path_traversal 33.3 %
  decoy           decoy 100.0 %
  path_traversal  path_traversal 100.0 %
  sqli            none
  xss             none
  benign          decoy 14.3 %

false positives by check and location (benign records):
  decoy            path                    1  14.3 %
";
    assert_eq!(text, expected);
    // The unlabelled row is named on standard error, with the timing.
    let err = stderr(&out);
    assert!(err.contains("labelled.jsonl:16: no \"label\""), "{err}");
    assert!(err.contains("evaluated 15 records"), "{err}");
}

#[test]
fn json_has_the_same_figures() {
    let data = example();
    let mut args = vec!["--data", data.to_str().unwrap(), "--json", "-q"];
    args.extend(PINNED);
    let out = eval(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "quiet: {}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["records"], 15);
    assert_eq!(v["unlabelled"], 1);
    assert_eq!(v["bad_lines"], 0);
    assert_eq!(v["internal_errors"], 0);
    assert_eq!(v["thresholds"]["SQLI_PROBA"], 0.7);
    assert_eq!(v["thresholds"]["XSS_PROBA"], 0.8);
    let o = &v["overall"];
    assert_eq!((o["tp"].as_u64(), o["fn"].as_u64()), (Some(5), Some(3)));
    assert_eq!((o["fp"].as_u64(), o["tn"].as_u64()), (Some(1), Some(6)));
    assert_eq!(o["recall"], 0.625);
    assert!((o["precision"].as_f64().unwrap() - 5.0 / 6.0).abs() < 1e-12);
    assert!((o["fp_rate"].as_f64().unwrap() - 1.0 / 7.0).abs() < 1e-12);
    assert!((o["f1"].as_f64().unwrap() - 10.0 / 14.0).abs() < 1e-12);
    let labels = v["labels"].as_array().unwrap();
    let names: Vec<_> = labels
        .iter()
        .map(|l| l["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["cmdi", "decoy", "path_traversal", "sqli", "xss", "benign"]
    );
    let cmdi = &labels[0];
    assert_eq!(cmdi["attack"], true);
    assert_eq!(
        (&cmdi["records"], &cmdi["detected"], &cmdi["blocked"]),
        (&3.into(), &2.into(), &1.into())
    );
    assert_eq!(cmdi["checks"][0]["check"], "command");
    assert_eq!(cmdi["checks"][0]["records"], 2);
    // No finding for sqli: its checks list is empty and its rate 0, not null.
    assert_eq!(labels[3]["checks"].as_array().unwrap().len(), 0);
    assert_eq!(labels[3]["rate"], 0.0);
    assert_eq!(labels[5]["attack"], false);
    assert!(v.get("grid").is_none());
    // The false positives by check and location; no examples without --examples.
    let fp = v["false_positives"].as_array().unwrap();
    assert_eq!(fp.len(), 1);
    assert_eq!(
        (&fp[0]["check"], &fp[0]["location"]),
        (&"decoy".into(), &"path".into())
    );
    assert_eq!(fp[0]["records"], 1);
    assert_eq!(fp[0]["examples"].as_array().unwrap().len(), 0);
}

#[test]
fn examples_show_what_blocking_would_refuse() {
    let data = example();
    let mut args = vec!["--data", data.to_str().unwrap(), "--examples", "3", "-q"];
    args.extend(PINNED);
    let out = eval(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("  decoy            path                    1  14.3 %\n      \"/login\"\n"),
        "{text}"
    );
}

#[test]
fn the_plot_is_an_svg_with_a_curve_per_attack_label() {
    let data = example();
    let svg_path = temp("eval-plot.svg", "");
    let out = eval(&[
        "--data",
        data.to_str().unwrap(),
        "--plot",
        svg_path.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.starts_with("<svg "), "{}", &svg[..svg.len().min(200)]);
    assert!(svg.trim_end().ends_with("</svg>"));
    // Five attack labels and the overall curve.
    assert_eq!(svg.matches("<polyline").count(), 6);
    assert_eq!(
        svg.matches("<polyline").count(),
        svg.matches("</polyline>").count()
    );
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    assert!(svg.contains("configured"));
    assert!(svg.contains("log scale"));
    assert!(!svg.contains("NaN"));
    // The sweep: 19 grid points plus the configured thresholds (0.7 / 0.8, off the curve).
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let grid = v["grid"].as_array().unwrap();
    assert_eq!(grid.len(), 20);
    assert_eq!(grid[0]["SQLI_PROBA"], 0.05);
    assert_eq!(grid[0]["XSS_PROBA"], 0.05);
    assert_eq!(grid[18]["SQLI_PROBA"], 0.95);
    assert_eq!(grid[19]["configured"], true);
    assert_eq!(grid[19]["XSS_PROBA"], 0.8);
    for g in grid {
        assert!(g["detection"].is_f64() && g["fp_rate"].is_f64(), "{g}");
        assert_eq!(g["labels"].as_object().unwrap().len(), 5);
    }
    // The configured row holds the figures of the main pass.
    assert_eq!(grid[19]["detection"], v["overall"]["recall"]);
    assert!(stderr(&out).contains("threshold 0.05:"));
}

#[test]
fn equal_configured_thresholds_sit_on_the_curve_and_the_grid_is_printed() {
    let data = example();
    let svg_path = temp("eval-plot-equal.svg", "");
    let out = eval(&[
        "--data",
        data.to_str().unwrap(),
        "--plot",
        svg_path.to_str().unwrap(),
        "--set",
        "SQLI_PROBA=0.5",
        "--set",
        "XSS_PROBA=0.5",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("threshold sweep"), "{text}");
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("threshold  "))
        .skip(1)
        .collect();
    // 0.50 is the configured pass, not run twice.
    assert_eq!(rows.len(), 19, "{text}");
    assert!(rows[9].trim_start().starts_with("0.50*"), "{text}");
    assert!(rows[0].trim_start().starts_with("0.05 "), "{text}");
    assert!(
        std::fs::read_to_string(&svg_path)
            .unwrap()
            .contains("<polyline")
    );
}

#[test]
fn bad_lines_are_named_skipped_counted_and_exit_2() {
    let data = temp(
        "eval-bad.jsonl",
        concat!(
            "{\"text\": \"; cat /etc/passwd\", \"label\": \"cmdi\"}\n",
            "{\"text\": \"oops\", \"label\": \n",
            "{\"text\": \"hello\", \"label\": \"benign\"}\n",
            "{\"label\": \"benign\"}\n",
            "{\"text\": \"hi\", \"label\": 7}\n",
        ),
    );
    let out = eval(&["--data", data.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("eval-bad.jsonl:2:"), "{err}");
    assert!(err.contains("eval-bad.jsonl:4:"), "{err}");
    assert!(
        err.contains("eval-bad.jsonl:5: \"label\" is not a string"),
        "{err}"
    );
    // The report is still complete.
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["records"], 2);
    assert_eq!(v["bad_lines"], 3);
    assert_eq!(v["overall"]["tp"], 1);
    assert_eq!(v["overall"]["tn"], 1);
}

#[test]
fn usage_io_and_config_errors_exit_2_with_a_clear_message() {
    let data = example();
    let data = data.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--data", "/nonexistent/eval.jsonl"],
            "/nonexistent/eval.jsonl",
        ),
        (vec![], "--data"),
        (vec!["--data", data, "--set", "SQLI_PROBA=2"], "SQLI_PROBA"),
        (
            vec!["--data", data, "--config", "/nonexistent/rasp.json"],
            "/nonexistent/rasp.json",
        ),
        (
            vec!["--data", data, "--plot", "/nonexistent/dir/plot.svg"],
            "/nonexistent/dir/plot.svg",
        ),
    ];
    for (args, needle) in cases {
        let out = eval(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
    let unlabelled = temp("eval-unlabelled.jsonl", "{\"text\": \"x\"}\n\n");
    let out = eval(&["--data", unlabelled.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no labelled records"),
        "{}",
        stderr(&out)
    );
    let attacks_only = temp(
        "eval-attacks.jsonl",
        "{\"text\": \"; cat /etc/passwd\", \"label\": \"cmdi\"}\n",
    );
    let out = eval(&[
        "--data",
        attacks_only.to_str().unwrap(),
        "--plot",
        "/tmp/never-written.svg",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("benign"), "{}", stderr(&out));
    // Without --plot, attacks alone are fine: precision 100 %, FP rate undefined.
    let out = eval(&["--data", attacks_only.to_str().unwrap(), "--json", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["overall"]["precision"], 1.0);
    assert!(v["overall"]["fp_rate"].is_null());
}

#[test]
fn several_files_add_up() {
    let data = example();
    let more = temp(
        "eval-more.jsonl",
        "{\"text\": \"plain words\", \"label\": \"benign\"}\n{\"text\": \"../../etc/hosts\", \"label\": \"path_traversal\"}\n",
    );
    let mut args = vec![
        "--data",
        data.to_str().unwrap(),
        more.to_str().unwrap(),
        "--json",
        "-q",
    ];
    args.extend(PINNED);
    let out = eval(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["records"], 17);
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
    assert_eq!(v["overall"]["tp"], 6);
    assert_eq!(v["overall"]["tn"], 7);
}

#[test]
fn reads_standard_input() {
    let input = "{\"text\": \"../../etc/hosts\", \"label\": \"path_traversal\"}\n{\"text\": \"hello\", \"label\": \"benign\"}\n";
    let out = run_stdin(&["eval", "--data", "-", "--json", "-q"], input);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"][0], "-");
    assert_eq!(v["overall"]["tp"], 1);
    assert_eq!(v["overall"]["tn"], 1);
}
