//! What the results depend on: the machine, the commit, the server's memory, and what an article
//! page weighs on the wire.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
        .and_then(|s| s.lines().next().map(|l| l.trim().to_owned()))
        .unwrap_or_else(|| "unknown".into())
}

/// CPU model and count, memory, kernel, load when the run started.
pub fn describe() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_gb = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
    format!(
        "{cores} × {model}, {memory_gb:.0} GiB, Linux {}, load average at the end {load}",
        command_line("uname", &["-r"])
    )
}

pub fn commit() -> String {
    let hash = command_line("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = !command_line("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty()
        && command_line("git", &["status", "--porcelain", "--untracked-files=no"]) != "unknown";
    if dirty {
        format!("{hash} with uncommitted changes")
    } else {
        hash
    }
}

pub fn wrk_version() -> String {
    command_line("wrk", &["-v"]).split(" Copyright").next().unwrap_or("wrk").to_owned()
}

pub struct Memory {
    /// VmHWM: counts the database file's pages once per connection that mapped them.
    pub peak_mb: f64,
    pub now_mb: f64,
    /// The largest RssAnon seen while watched: what the process itself allocated.
    pub own_peak_mb: f64,
}

fn status_kb(pid: u32, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(f64::NAN)
}

/// Samples a process's own memory (RssAnon) every 50 ms until `finish`: the kernel keeps a
/// peak only for the whole resident set, which also counts the memory-mapped database.
pub struct MemoryWatch {
    pid: u32,
    peak_kb: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl MemoryWatch {
    pub fn start(pid: u32) -> MemoryWatch {
        let watch = MemoryWatch { pid, peak_kb: Arc::default(), stop: Arc::default() };
        let (peak, stop) = (watch.peak_kb.clone(), watch.stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let kb = status_kb(pid, "RssAnon:");
                if kb.is_finite() {
                    peak.fetch_max(kb as u64, Ordering::Relaxed);
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        });
        watch
    }

    pub fn finish(self) -> Memory {
        self.stop.store(true, Ordering::Relaxed);
        Memory {
            peak_mb: status_kb(self.pid, "VmHWM:") / 1024.0,
            now_mb: status_kb(self.pid, "VmRSS:") / 1024.0,
            own_peak_mb: self.peak_kb.load(Ordering::Relaxed) as f64 / 1024.0,
        }
    }
}

pub struct Weight {
    pub parts: Vec<(String, u64)>,
}

impl Weight {
    pub fn total(&self) -> u64 {
        self.parts.iter().map(|(_, b)| b).sum()
    }

    /// The app's own files, fetched only on the reader's intent.
    pub fn is_app(part: &str) -> bool {
        part.ends_with(".js") || part.ends_with(".wasm")
    }

    pub fn until_intent(&self) -> u64 {
        self.parts.iter().filter(|(name, _)| !Self::is_app(name)).map(|(_, b)| b).sum()
    }
}

/// The article as a browser gets it: the HTML compressed by the server, and every bundle the
/// page names from the site root's `.br` files (what the server sends to a browser asking for br).
pub fn page_weight(port: u16, path: &str, site_root: &Path) -> anyhow::Result<Weight> {
    let compressed = super::load::get(port, path, &[("Accept-Encoding", "br"), ("User-Agent", super::BROWSER)])?;
    anyhow::ensure!(
        compressed.headers.to_ascii_lowercase().contains("content-encoding: br"),
        "the page was not compressed"
    );
    let html = super::load::get(port, path, &[("User-Agent", super::BROWSER)])?.text();
    let mut parts = vec![("HTML".to_owned(), compressed.body.len() as u64)];
    let mut names: Vec<String> = html
        .split("/pkg/")
        .skip(1)
        .filter_map(|rest| rest.split(['"', '\'', '\\', ')', ' ']).next())
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        let file = site_root.join("pkg").join(format!("{name}.br"));
        let size = std::fs::metadata(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?.len();
        parts.push((name, size));
    }
    anyhow::ensure!(parts.iter().any(|(n, _)| n.ends_with(".wasm")), "the page names no wasm bundle");
    Ok(Weight { parts })
}
