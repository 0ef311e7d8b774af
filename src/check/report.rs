//! The scorecard of a `check` run in four forms — text, JSON, JUnit XML, markdown — each grouped
//! conformance / robustness / metamorphic / auth / transport, each naming the seed, and for a
//! generated case that failed: its case number, the rule it broke, its original and shrunk size
//! and where the shrunk body was saved. Nothing here sees a token.

use std::io::Write;
use std::time::Duration;

use super::{totals, Found, Group, Outcome, Probe, Verdict};

/// The line under the probes: the seed, the cases run, the totals, and why generation stopped.
fn summary(outcome: &Outcome) -> String {
    let t = totals(&outcome.probes);
    let mut text = format!(
        "seed {}; {} of {} generated cases run, {} in {:.1} s; {} passed, {} failed, {} skipped",
        outcome.seed,
        outcome.cases_run,
        outcome.cases_planned,
        crate::render::plural(outcome.requests, "request"),
        outcome.elapsed.as_secs_f64(),
        t.pass,
        t.fail,
        t.skip
    );
    if t.warn > 0 {
        text.push_str(&format!(", {} warned", t.warn));
    }
    if let Some(why) = &outcome.stopped {
        text.push_str(&format!(
            "\nstopped by {why} after {} of {} cases",
            outcome.cases_run, outcome.cases_planned
        ));
    }
    text
}

/// What a found case says after the reason: the case, the rule, the sizes, the saved path.
pub(crate) fn found_text(found: &Found) -> String {
    let mut text = format!(
        "case {} broke `{}`; shrunk from {} to {}",
        found.case, found.rule, found.original, found.shrunk
    );
    if let Some(stopped) = &found.stopped {
        text.push_str(&format!("; {stopped}"));
    }
    if let Some(path) = &found.saved {
        text.push_str(&format!("; saved as {path}"));
    }
    if found.more > 0 {
        text.push_str(&format!(
            "; {} more failed the same way",
            crate::render::plural(found.more, "case")
        ));
    }
    text
}

/// The reason with what was found after it.
fn full_reason(p: &Probe) -> String {
    match &p.found {
        Some(found) => format!("{} ({})", p.reason, found_text(found)),
        None => p.reason.clone(),
    }
}

fn groups(probes: &[Probe]) -> impl Iterator<Item = (Group, Vec<&Probe>)> {
    Group::ALL.into_iter().filter_map(move |g| {
        let of: Vec<&Probe> = probes.iter().filter(|p| p.group == g).collect();
        (!of.is_empty()).then_some((g, of))
    })
}

/// The scorecard as text: one block per group, one line per probe, then the summary.
pub(crate) fn write_text(w: &mut dyn Write, url: &str, outcome: &Outcome) -> std::io::Result<()> {
    writeln!(w, "xconn check {url} (seed {})", outcome.seed)?;
    for (group, probes) in groups(&outcome.probes) {
        writeln!(w, "{}", group.name())?;
        for p in probes {
            writeln!(
                w,
                "  {:<4}  {:<20} {:>9}  {}",
                p.verdict.name(),
                p.name,
                latency_text(p.latency),
                crate::error::escape_control(&full_reason(p))
            )?;
        }
    }
    writeln!(w, "{}", summary(outcome))
}

/// The scorecard as markdown (every cell escaped).
pub(crate) fn write_markdown(
    w: &mut dyn Write,
    url: &str,
    outcome: &Outcome,
) -> std::io::Result<()> {
    let esc = |t: &str| crate::text::escaped(t, crate::text::Escape::Markdown);
    writeln!(
        w,
        "### xconn check `{}` (seed {})\n",
        url.replace('`', "'"),
        outcome.seed
    )?;
    writeln!(w, "| group | probe | result | latency | reason |")?;
    writeln!(w, "|---|---|---|---:|---|")?;
    for p in &outcome.probes {
        writeln!(
            w,
            "| {} | {} | {} | {} | {} |",
            p.group.name(),
            p.name,
            p.verdict.name(),
            latency_text(p.latency),
            esc(&full_reason(p))
        )?;
    }
    writeln!(w, "\n{}", esc(&summary(outcome)).replace('\n', "\n\n"))
}

/// The scorecard as one JSON object; `passed` is the run's verdict ([`super::passed`]).
pub(crate) fn write_json(
    w: &mut dyn Write,
    url: &str,
    outcome: &Outcome,
    passed: bool,
) -> std::io::Result<()> {
    let t = totals(&outcome.probes);
    let value = serde_json::json!({
        "url": url,
        "passed": passed,
        "seed": outcome.seed,
        "cases": {"run": outcome.cases_run, "planned": outcome.cases_planned},
        "requests": outcome.requests,
        "stopped": outcome.stopped,
        "summary": {"pass": t.pass, "warn": t.warn, "fail": t.fail, "skip": t.skip},
        "probes": outcome.probes.iter().map(probe_json).collect::<Vec<_>>(),
    });
    writeln!(
        w,
        "{}",
        serde_json::to_string_pretty(&value).map_err(std::io::Error::other)?
    )
}

fn probe_json(p: &Probe) -> serde_json::Value {
    let mut value = serde_json::json!({
        "group": p.group.name(),
        "probe": p.name,
        "result": p.verdict.name(),
        "latency_ms": p.latency.map(|l| (l.as_secs_f64() * 1e4).round() / 10.0),
        "reason": p.reason,
    });
    if let Some(found) = &p.found {
        value["found"] = serde_json::json!({
            "case": found.case,
            "rule": found.rule,
            "original": found.original.json(),
            "shrunk": found.shrunk.json(),
            "saved": found.saved,
            "more": found.more,
            "shrinking_stopped": found.stopped,
        });
    }
    value
}

/// The scorecard as JUnit XML (one suite per group, one test case per probe), for CI reports.
pub(crate) fn write_junit(w: &mut dyn Write, url: &str, outcome: &Outcome) -> std::io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="xconn check {} (seed {})" tests="{}">"#,
        xml(url),
        outcome.seed,
        outcome.probes.len()
    )?;
    for (group, probes) in groups(&outcome.probes) {
        let fail = probes.iter().filter(|p| p.verdict == Verdict::Fail).count();
        let skip = probes.iter().filter(|p| p.verdict == Verdict::Skip).count();
        let total: f64 = probes
            .iter()
            .filter_map(|p| p.latency)
            .map(|l| l.as_secs_f64())
            .sum();
        writeln!(
            w,
            r#"<testsuite name="{}" tests="{}" failures="{fail}" skipped="{skip}" time="{total:.3}">"#,
            group.name(),
            probes.len()
        )?;
        write_junit_properties(w, outcome)?;
        for p in probes {
            write_junit_case(w, group, p)?;
        }
        writeln!(w, "</testsuite>")?;
    }
    writeln!(w, "</testsuites>")
}

/// The run's figures as each suite's `<properties>`: the seed, the cases run and planned, the
/// requests sent, and the budget that stopped the run (with the summary line saying so).
fn write_junit_properties(w: &mut dyn Write, outcome: &Outcome) -> std::io::Result<()> {
    writeln!(w, "  <properties>")?;
    let mut properties = vec![
        ("seed", outcome.seed.to_string()),
        ("cases.run", outcome.cases_run.to_string()),
        ("cases.planned", outcome.cases_planned.to_string()),
        ("requests", outcome.requests.to_string()),
    ];
    if let Some(why) = &outcome.stopped {
        properties.push(("stopped", why.clone()));
        properties.push(("summary", summary(outcome)));
    }
    for (name, value) in properties {
        writeln!(
            w,
            r#"    <property name="{name}" value="{}"/>"#,
            xml(&value)
        )?;
    }
    writeln!(w, "  </properties>")
}

fn write_junit_case(w: &mut dyn Write, group: Group, p: &Probe) -> std::io::Result<()> {
    let time = p.latency.map_or(0.0, |l| l.as_secs_f64());
    write!(
        w,
        r#"  <testcase classname="xconn.check.{}" name="{}" time="{time:.3}""#,
        group.name(),
        xml(&p.name)
    )?;
    let reason = xml(&full_reason(p));
    match p.verdict {
        Verdict::Pass => writeln!(w, "/>"),
        Verdict::Warn => writeln!(w, "><system-out>warning: {reason}</system-out></testcase>"),
        Verdict::Fail => writeln!(w, r#"><failure message="{reason}"/></testcase>"#),
        Verdict::Skip => writeln!(w, r#"><skipped message="{reason}"/></testcase>"#),
    }
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // As character references: an attribute keeps them (a raw line break in one is read
            // back as a space).
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn latency_text(latency: Option<Duration>) -> String {
    latency.map_or("-".to_string(), |l| format!("{} ms", l.as_millis()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(probes: Vec<Probe>) -> Outcome {
        Outcome {
            probes,
            seed: 7,
            cases_run: 3,
            cases_planned: 10,
            requests: 5,
            stopped: Some("--budget 1s".to_string()),
            elapsed: Duration::from_secs(1),
        }
    }

    /// One request is "1 request"; the JUnit summary property keeps its line break as `&#10;`.
    #[test]
    fn the_summary_counts_in_words_and_stays_one_attribute() {
        let mut one = outcome(vec![Probe::new(
            Group::Transport,
            "https",
            Verdict::Pass,
            "fine".to_string(),
        )]);
        one.requests = 1;
        assert!(
            summary(&one).contains(", 1 request in 1.0 s;"),
            "{}",
            summary(&one)
        );
        let mut junit = Vec::new();
        write_junit(&mut junit, "http://h/", &one).unwrap();
        let junit = String::from_utf8(junit).unwrap();
        let line = junit
            .lines()
            .find(|l| l.contains(r#"name="summary""#))
            .unwrap_or_else(|| panic!("{junit}"));
        assert!(
            line.contains("skipped&#10;stopped by --budget 1s"),
            "{junit}"
        );
    }

    #[test]
    fn junit_and_markdown_escape_what_they_must() {
        let outcome = outcome(vec![Probe::new(
            Group::Conformance,
            "sample",
            Verdict::Fail,
            "<b>bad</b> & \"worse\" | [link](x)".to_string(),
        )]);
        let mut junit = Vec::new();
        write_junit(&mut junit, "http://h/", &outcome).unwrap();
        let junit = String::from_utf8(junit).unwrap();
        assert!(junit.contains("&lt;b&gt;bad&lt;/b&gt; &amp; &quot;worse&quot;"));
        assert!(junit.contains("seed 7"), "{junit}");
        let mut md = Vec::new();
        write_markdown(&mut md, "http://h/", &outcome).unwrap();
        let md = String::from_utf8(md).unwrap();
        assert!(
            md.contains("&lt;b&gt;bad&lt;/b&gt; &amp; \"worse\" \\|"),
            "{md}"
        );
        assert!(
            md.contains("stopped by --budget 1s after 3 of 10 cases"),
            "{md}"
        );
    }
}
