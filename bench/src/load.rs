//! Talking to the servers: a plain HTTP/1.0 GET for set-up, and wrk for the load.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Page {
    pub status: u16,
    pub headers: String,
    pub body: Vec<u8>,
}

impl Page {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One GET over HTTP/1.0, so the answer is the body as it is, never chunked.
pub fn get(port: u16, path: &str, headers: &[(&str, &str)]) -> anyhow::Result<Page> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split =
        raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| anyhow::anyhow!("no HTTP header in the answer"))?;
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = headers.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok(Page { status, headers, body: raw[split + 4..].to_vec() })
}

pub fn wait_until_up(port: u16, limit: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if get(port, "/", &[]).is_ok_and(|page| page.status > 0) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    anyhow::bail!("nothing answered on port {port} within {limit:?}")
}

/// What one wrk run measured.
#[derive(Clone, Debug, Default)]
pub struct Run {
    pub rps: f64,
    pub requests: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Non-2xx/3xx answers plus socket errors.
    pub errors: u64,
}

impl Run {
    pub fn ok(&self) -> u64 {
        self.requests.saturating_sub(self.errors)
    }
}

/// Runs wrk.
pub struct Wrk;

impl Wrk {
    /// `wrk --latency` against `url` with `connections` open; `script` is a Lua request script
    /// and the article it posts to (passed as `BENCH_ARTICLE`).
    pub fn run(
        &self,
        url: &str,
        connections: u32,
        headers: &[(&str, String)],
        script: Option<(&Path, &str)>,
        seconds: u64,
    ) -> anyhow::Result<Run> {
        let mut command = Command::new("wrk");
        command
            .arg(format!("-t{}", connections.min(2)))
            .arg(format!("-c{connections}"))
            .arg(format!("-d{seconds}s"))
            .arg("--timeout")
            .arg("10s")
            .arg("--latency");
        for (name, value) in headers {
            command.arg("-H").arg(format!("{name}: {value}"));
        }
        if let Some((script, article)) = script {
            command.arg("-s").arg(script).env("BENCH_ARTICLE", article);
        }
        let output = command.arg(url).output()?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        anyhow::ensure!(output.status.success(), "wrk failed: {}{}", text, String::from_utf8_lossy(&output.stderr));
        parse(&text).ok_or_else(|| anyhow::anyhow!("could not read wrk's report:\n{text}"))
    }
}

/// Reads wrk's report: `Requests/sec:`, the latency distribution, the request count and errors.
fn parse(report: &str) -> Option<Run> {
    let mut run = Run::default();
    for line in report.lines().map(str::trim) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["Requests/sec:", rps] => run.rps = rps.parse().ok()?,
            ["50%", latency] => run.p50_ms = millis(latency)?,
            ["99%", latency] => run.p99_ms = millis(latency)?,
            [count, "requests", "in", ..] => run.requests = count.parse().ok()?,
            ["Non-2xx", "or", "3xx", "responses:", n] => run.errors += n.parse::<u64>().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                run.errors += rest.iter().filter_map(|f| f.trim_end_matches(',').parse::<u64>().ok()).sum::<u64>();
            }
            _ => {}
        }
    }
    (run.rps > 0.0).then_some(run)
}

fn millis(value: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = value.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = value.strip_suffix("ms") {
        (n, 1.0)
    } else {
        (value.strip_suffix('s')?, 1000.0)
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_a_wrk_report() {
        let report = "Running 2s test @ http://127.0.0.1:3400/\n  2 threads and 32 connections\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency     1.20ms  300.00us   9.00ms   80.00%\n  Latency Distribution\n     50%  850.00us\n     75%    1.10ms\n     90%    1.50ms\n     99%    4.20ms\n  20000 requests in 2.00s, 100.00MB read\n  Socket errors: connect 0, read 2, write 0, timeout 1\n  Non-2xx or 3xx responses: 4\nRequests/sec:  10000.50\nTransfer/sec:     50.00MB\n";
        let run = super::parse(report).unwrap();
        assert_eq!(run.requests, 20000);
        assert!((run.rps - 10000.5).abs() < 1e-9);
        assert!((run.p50_ms - 0.85).abs() < 1e-9 && (run.p99_ms - 4.2).abs() < 1e-9);
        assert_eq!(run.errors, 7);
        assert!(super::parse("garbage").is_none());
    }
}
