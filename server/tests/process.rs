//! The real binary, started as an operator starts it: from the project root, no arguments.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

type LogLines = std::io::Lines<BufReader<std::process::ChildStdout>>;

/// Starts `target/…/server` from the project root on a random port; returns the process, its
/// address and its log lines from there on.
/// The server process, killed when a test ends early (a failed assertion must not leave it
/// running, holding the test runner's output open).
struct Server(std::process::Child);

impl std::ops::Deref for Server {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A site root as `cargo leptos build` leaves it, for a server built by plain cargo: the
/// bundles the pages link (placeholders, unhashed names) and the files of `public/`.
fn site_root() -> &'static str {
    static ROOT: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    let root = concat!(env!("CARGO_TARGET_TMPDIR"), "/process-site");
    ROOT.get_or_init(|| {
        let pkg = std::path::Path::new(root).join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        for bundle in ["newsroom.css", "newsroom.js", "newsroom.wasm"] {
            std::fs::write(pkg.join(bundle), "").unwrap();
        }
        let public = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public");
        for entry in std::fs::read_dir(&public).unwrap() {
            let entry = entry.unwrap();
            let link = std::path::Path::new(root).join(entry.file_name());
            if std::fs::symlink_metadata(&link).is_err() {
                std::os::unix::fs::symlink(entry.path(), link).unwrap();
            }
        }
    });
    root
}

fn start_server(database_url: &str, env: &[(&str, &str)]) -> (Server, String, LogLines) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        // Built by cargo, not cargo-leptos: no hash.txt beside it.
        .env("LEPTOS_HASH_FILES", "false")
        .env("LEPTOS_SITE_ROOT", site_root())
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("the server printed its address").unwrap();
        if let Some(at) = line.find("listening on ") {
            break line[at + "listening on ".len()..].trim().to_owned();
        }
    };
    (Server(child), address, lines)
}

/// The page at `url` once it contains `text`: a change written by another process reaches the
/// server's render cache within a moment (it re-reads the content version every 250 ms).
async fn page_showing(url: &str, text: &str) -> String {
    let mut html = String::new();
    for _ in 0..40 {
        html = reqwest::get(url).await.unwrap().text().await.unwrap();
        if html.contains(text) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    html
}

/// Runs a `server` command against `database_url` from the project root; returns whether it
/// succeeded and what it printed (stdout, then stderr).
fn run_command(database_url: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("DATABASE_URL", database_url)
        .args(args)
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[tokio::test]
async fn the_binary_serves_logs_each_request_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, address, mut lines) =
        start_server(&format!("sqlite://{}", dir.path().join("fresh/site.db").display()), &[]);

    let response = reqwest::get(format!("{address}/article/harbour-bridge-reopens")).await.unwrap();
    assert_eq!(response.status(), 200, "a fresh database under a new folder was created and seeded");

    let request_line = lines.next().unwrap().unwrap();
    assert!(request_line.contains("/article/harbour-bridge-reopens"), "{request_line}");
    assert!(request_line.contains("status=200"), "{request_line}");
    assert!(request_line.contains("latency_us="), "{request_line}");

    // An open live-comment stream must not hold up the shutdown.
    let live = reqwest::get(format!("{address}/api/comments/live/harbour-bridge-reopens")).await.unwrap();
    assert_eq!(live.status(), 200);
    // Nor a client that never finishes its request (headers half sent).
    let mut unfinished = std::net::TcpStream::connect(address.trim_start_matches("http://")).unwrap();
    std::io::Write::write_all(&mut unfinished, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1").unwrap();
    std::thread::sleep(Duration::from_millis(200));

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "the server did not stop within 15 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "graceful shutdown exits 0, got {exit}");
    drop((live, unfinished));
}

#[test]
fn operators_moderate_comments_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let run = |args: &[&str]| run_command(&url, args);
    // A database with one pending comment.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let pending_id: i64 = runtime.block_on(async {
        let pool = migrated_pool(&url).await;
        for statement in [
            "INSERT INTO authors (slug, name) VALUES ('a', 'A')",
            "INSERT INTO categories (slug, name) VALUES ('c', 'C')",
            "INSERT INTO stories (slug, title, summary, body_html, author_id, category_id, published_at, updated_at) \
             VALUES ('s', 'T', 'S', '<p>B</p>', 1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        ] {
            sqlx::query(statement).execute(&pool).await.unwrap();
        }
        sqlx::query_scalar(
            "INSERT INTO comments (article_id, author_name, author_email, body, status, created_at) \
             VALUES (1, 'Lin', 'lin@example.org', 'Three links here', 'pending', '2026-01-02T00:00:00Z') RETURNING id",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    });
    let (ok, listed) = run(&["comments", "list", "pending"]);
    assert!(ok && listed.contains("Three links here") && listed.contains("pending"), "{listed}");
    let (ok, said) = run(&["comments", "approve", &pending_id.to_string()]);
    assert!(ok, "{said}");
    let (_, listed) = run(&["comments", "list", "pending"]);
    assert!(!listed.contains("Three links here"), "{listed}");
    let (ok, _) = run(&["comments", "delete", &pending_id.to_string()]);
    assert!(ok);
    let (ok, said) = run(&["comments", "approve", &pending_id.to_string()]);
    assert!(!ok && said.contains("no comment"), "{said}");
    // Spam can be paged through and purged in bulk.
    runtime.block_on(async {
        let pool = migrated_pool(&url).await;
        for n in 0..60 {
            sqlx::query(
                "INSERT INTO comments (article_id, author_name, author_email, body, status, created_at) \
                 VALUES (1, 'Bot', 'bot@example.org', $1, 'spam', '2026-01-03T00:00:00.000Z')",
            )
            .bind(format!("Cheap watches {n}"))
            .execute(&pool)
            .await
            .unwrap();
        }
    });
    let (ok, listed) = run(&["comments", "list", "spam"]);
    assert!(ok && listed.contains("page 1 of 2 (60 spam comments)"), "{listed}");
    let (ok, listed) = run(&["comments", "list", "spam", "--page", "2"]);
    assert!(ok && listed.matches("Cheap watches").count() == 10, "{listed}");
    let (ok, said) = run(&["comments", "purge", "--spam", "--older-than", "100000"]);
    assert!(ok && said.contains("0 spam comments deleted"), "{said}");
    let (ok, said) = run(&["comments", "purge", "--spam"]);
    assert!(ok && said.contains("60 spam comments deleted"), "{said}");
    let (ok, said) = run(&["comments", "purge"]);
    assert!(!ok && said.contains("--spam"), "the kind to purge is named: {said}");
    let (ok, said) = run(&["comments", "frobnicate"]);
    assert!(!ok && said.contains("Usage: server comments"), "{said}");
    let (ok, said) = run(&["comments", "approve", "first"]);
    assert!(!ok && said.contains("\"first\" is not a comment id"), "{said}");
}

#[tokio::test]
async fn acknowledged_comments_survive_a_killed_server() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let (mut child, address, lines) = start_server(&url, &[("COMMENT_FLOOD_SECONDS", "0")]);
    std::thread::spawn(move || for _ in lines {}); // keep the pipe drained
    let client = reqwest::Client::new();
    let mut acknowledged = 0;
    for i in 0..40 {
        let body = format!("Durable comment {i}");
        let response = client
            .post(format!("{address}/api/comments/post"))
            .header("Accept", "application/json")
            .form(&[
                ("article", "harbour-bridge-reopens"),
                ("comment", &body),
                ("author", "Kim"),
                ("email", "kim@example.org"),
            ])
            .send()
            .await
            .unwrap();
        if response.status() == 200 {
            acknowledged += 1;
        }
    }
    assert_eq!(acknowledged, 40);
    // kill -9 right after the last acknowledgement: no graceful anything.
    child.kill().unwrap();
    child.wait().unwrap();
    let pool = migrated_pool(&url).await;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE body LIKE 'Durable comment %'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, acknowledged);
}

#[tokio::test]
async fn servers_started_together_on_an_empty_database_migrate_and_seed_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    // Three nodes (processes) at the same moment; each must come up.
    let starting: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            // More than one node: each must know the site's public address.
            std::thread::spawn(move || start_server(&url, &[("SITE_URL", "http://news.example.test")]))
        })
        .collect();
    let servers: Vec<_> = starting.into_iter().map(|s| s.join().expect("every server started")).collect();
    for (_, address, _) in &servers {
        let front = reqwest::get(format!("{address}/")).await.unwrap();
        assert_eq!(front.status(), 200);
    }
    let pool = migrated_pool(&url).await;
    let (stories, slugs): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT slug) FROM stories").fetch_one(&pool).await.unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../content"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "md"))
        .count() as i64;
    assert_eq!((stories, slugs), (files, files), "the demo content seeded once");
    let demo_comments = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../content/comments.yaml"))
        .unwrap()
        .lines()
        .filter(|line| line.starts_with("- "))
        .count() as i64;
    let comments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments").fetch_one(&pool).await.unwrap();
    assert_eq!(comments, demo_comments, "the demo comments seeded once");
}

#[tokio::test]
async fn a_comment_approved_on_the_command_line_reaches_live_readers_of_the_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let (_server, address, lines) = start_server(&url, &[]);
    std::thread::spawn(move || for _ in lines {}); // keep the pipe drained
    let pool = migrated_pool(&url).await;
    let (article_id, slug): (i64, String) =
        sqlx::query_as("SELECT id, slug FROM articles ORDER BY id LIMIT 1").fetch_one(&pool).await.unwrap();
    let held: i64 = sqlx::query_scalar(
        "INSERT INTO comments (article_id, author_name, author_email, body, status, created_at) \
         VALUES ($1, 'Lin', 'lin@example.org', 'Held, then approved by the operator', 'pending', '2026-01-02T00:00:00Z') \
         RETURNING id",
    )
    .bind(article_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let mut stream = reqwest::get(format!("{address}/api/comments/live/{slug}")).await.unwrap();
    assert_eq!(stream.status(), 200);
    let url_for_command = url.clone();
    let (ok, said) =
        tokio::task::spawn_blocking(move || run_command(&url_for_command, &["comments", "approve", &held.to_string()]))
            .await
            .unwrap();
    assert!(ok, "{said}");
    let approved = std::time::Instant::now();
    let mut received = String::new();
    while !received.contains("Held, then approved by the operator") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("the approved comment did not arrive: {received}"))
            .unwrap()
            .unwrap();
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(approved.elapsed() < std::time::Duration::from_secs(1), "arrived after {:?}", approved.elapsed());
}

/// Posts `Backup comment {i}` for each i; how many were acknowledged.
async fn post_numbered_comments(address: &str, numbers: std::ops::Range<usize>) -> usize {
    let client = reqwest::Client::new();
    let mut acknowledged = 0;
    for i in numbers {
        let response = client
            .post(format!("{address}/api/comments/post"))
            .header("Accept", "application/json")
            .form(&[
                ("article", "harbour-bridge-reopens"),
                ("comment", &format!("Backup comment {i}")),
                ("author", "Noor"),
                ("email", "noor@example.org"),
            ])
            .send()
            .await
            .unwrap();
        acknowledged += usize::from(response.status() == 200);
    }
    acknowledged
}

#[tokio::test]
async fn a_backup_taken_while_readers_post_holds_what_was_acknowledged_and_runs_as_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("site.db").display());
    let (_server, address, lines) = start_server(&url, &[("COMMENT_FLOOD_SECONDS", "0")]);
    std::thread::spawn(move || for _ in lines {}); // keep the pipe drained
    assert_eq!(post_numbered_comments(&address, 0..20).await, 20);

    // Readers keep posting while the copy is taken.
    let posting = tokio::spawn({
        let address = address.clone();
        async move { post_numbered_comments(&address, 20..60).await }
    });
    let backup = dir.path().join("backups/monday.db");
    let (ok, said) = run_command(&url, &["backup", backup.to_str().unwrap()]);
    assert!(!ok && said.contains("is not a folder; create it first"), "{said}");
    std::fs::create_dir(dir.path().join("backups")).unwrap();
    let command_url = url.clone();
    let target = backup.clone();
    let (ok, summary) =
        tokio::task::spawn_blocking(move || run_command(&command_url, &["backup", target.to_str().unwrap()]))
            .await
            .unwrap();
    assert!(ok && summary.contains("backed up to") && summary.contains("checked"), "{summary}");
    assert_eq!(posting.await.unwrap(), 40);

    // A second backup to the same name is refused and leaves the first one alone.
    let size = std::fs::metadata(&backup).unwrap().len();
    let (ok, said) = run_command(&url, &["backup", backup.to_str().unwrap()]);
    assert!(!ok && said.contains("already exists"), "{said}");
    assert_eq!(std::fs::metadata(&backup).unwrap().len(), size);
    let in_folder: Vec<_> =
        std::fs::read_dir(dir.path().join("backups")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(in_folder, ["monday.db"], "no temporary copy is left behind");

    // A mistyped address is not an empty site to back up: refused, and nothing is created.
    let typo = format!("sqlite://{}", dir.path().join("sit.db").display());
    let (ok, said) = run_command(&typo, &["backup", dir.path().join("backups/tuesday.db").to_str().unwrap()]);
    assert!(!ok && said.contains("no database at"), "{said}");
    assert!(!dir.path().join("sit.db").exists() && !dir.path().join("backups/tuesday.db").exists());

    // The copy is a working site: every comment acknowledged before the backup started is in
    // it, and what it says it holds is what it holds.
    let restored = format!("sqlite://{}", backup.display());
    let pool = migrated_pool(&restored).await;
    let numbers: Vec<String> = sqlx::query_scalar("SELECT body FROM comments WHERE body LIKE 'Backup comment %'")
        .fetch_all(&pool)
        .await
        .unwrap();
    for i in 0..20 {
        assert!(numbers.contains(&format!("Backup comment {i}")), "comment {i} is missing from the backup");
    }
    // One snapshot: the comments were posted one after another, so the copy holds exactly the
    // first k of them, whatever k the moment of the copy gave.
    let k = numbers.len();
    for i in 0..k {
        assert!(numbers.contains(&format!("Backup comment {i}")), "a gap at {i} in {k} copied comments");
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments").fetch_one(&pool).await.unwrap();
    assert!(summary.contains(&format!(" {stored} comments")), "{summary} (the copy has {stored})");
    let (_copy, copy_address, copy_lines) = start_server(&restored, &[]);
    std::thread::spawn(move || for _ in copy_lines {});
    let page = page_showing(&format!("{copy_address}/article/harbour-bridge-reopens"), "Backup comment 19").await;
    assert!(
        page.contains("Backup comment 0") && page.contains("Backup comment 19"),
        "the restored site shows the comments"
    );
}

#[tokio::test]
async fn editors_import_markdown_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let (mut child, address, lines) = start_server(&url, &[("DEMO_CONTENT", "off")]);
    std::thread::spawn(move || for _ in lines {}); // keep the pipe drained

    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    let article = |title: &str| {
        format!(
            "---\ntitle: \"{title}\"\nslug: ferry-timetable\ndate: 2026-11-25\nauthor: Ines Walcott\n\
             category: Harbour Life\ntags: [ferry]\nsummary: \"The winter ferry timetable.\"\n---\nBoats every hour.\n"
        )
    };
    std::fs::write(content.join("ferry.md"), article("Ferry Keeps Winter Timetable")).unwrap();
    std::fs::write(
        content.join("no-summary.md"),
        article("X").replace("summary: \"The winter ferry timetable.\"\n", ""),
    )
    .unwrap();
    std::fs::write(content.join("no-front-matter.md"), "Just text.\n").unwrap();
    let content_arg = content.to_str().unwrap();

    let (ok, said) = run_command(&url, &["import", content_arg]);
    assert!(!ok, "bad files make the command fail: {said}");
    assert!(said.contains("no-summary.md: front matter: missing field `summary`"), "{said}");
    assert!(said.contains("no-front-matter.md: no front matter"), "{said}");
    assert!(said.contains("created") && said.contains("ferry.md"), "the good file is still imported: {said}");
    assert!(said.contains("1 created, 0 updated, 0 unchanged, 2 failed"), "{said}");

    // The running server sees it, with its new section.
    let page = reqwest::get(format!("{address}/article/ferry-timetable")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Ferry Keeps Winter Timetable"));
    assert_eq!(reqwest::get(format!("{address}/category/harbour-life")).await.unwrap().status(), 200);

    let ferry = content.join("ferry.md");
    let (ok, said) = run_command(&url, &["import", ferry.to_str().unwrap()]);
    assert!(
        ok && said.contains("0 created, 0 updated, 1 unchanged, 0 failed"),
        "importing twice changes nothing: {said}"
    );

    std::fs::write(&ferry, article("Ferry Adds a Late Sailing")).unwrap();
    let (ok, said) = run_command(&url, &["import", ferry.to_str().unwrap()]);
    assert!(ok && said.contains("0 created, 1 updated"), "{said}");
    let html = page_showing(&format!("{address}/article/ferry-timetable"), "Ferry Adds a Late Sailing").await;
    assert!(html.contains("Ferry Adds a Late Sailing"), "re-importing an edit updates the article");

    let (ok, said) = run_command(&url, &["import"]);
    assert!(!ok && said.contains("Usage: server import") && said.contains("<PATH>..."), "{said}");
    let (ok, said) = run_command(&url, &["import", "/no/such/folder"]);
    assert!(!ok && said.contains("no such file or folder"), "{said}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Runs a `server` command from the project root with `env` set; returns its exit code, stdout
/// and stderr.
fn run_with(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .envs(env.iter().copied())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unknown_command_prints_usage_and_fails_without_a_panic() {
    let (code, stdout, stderr) = run_with(&["foo"], &[("RUST_BACKTRACE", "1")]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("unrecognized subcommand 'foo'") && stderr.contains("Usage: server"), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{stderr}");
}

#[test]
fn every_command_explains_itself() {
    let (code, help, _) = run_with(&["--help"], &[]);
    assert_eq!(code, Some(0));
    for command in ["serve", "import", "comments", "users", "backup"] {
        assert!(help.lines().any(|l| l.trim_start().starts_with(command)), "{command} is listed: {help}");
    }
    let (code, help, _) = run_with(&["import", "--help"], &[]);
    assert_eq!(code, Some(0));
    assert!(help.contains("Usage: server import [OPTIONS] <PATH>...") && help.contains("DATABASE_URL"), "{help}");
    let (_, help, _) = run_with(&["comments", "approve", "--help"], &[]);
    assert!(help.contains("Usage: server comments approve [OPTIONS] <ID>"), "{help}");
    // Every variable `serve` reads is documented with its default.
    let (code, help, _) = run_with(&["serve", "--help"], &[("SMTP_URL", "smtps://user:secret@mail.example.org")]);
    assert_eq!(code, Some(0));
    for variable in [
        "LEPTOS_CONFIG",
        "DATABASE_URL",
        "DEMO_CONTENT",
        "COMMENT_FLOOD_SECONDS",
        "NEWSLETTER_SIGNUPS_PER_HOUR",
        "TRUSTED_PROXIES",
        "SITE_URL",
        "SMTP_URL",
        "MAIL_FROM",
        "MAIL_DIR",
        "MAX_CONNECTIONS",
        "MAX_CONNECTIONS_PER_CLIENT",
        "RUST_LOG",
    ] {
        assert!(help.contains(variable), "{variable}: {help}");
    }
    assert!(help.contains("[default: sqlite://data/newsroom.db]") && help.contains("[default: 15]"), "{help}");
    assert!(!help.contains("secret"), "the help shows no variable's current value: {help}");
}

#[test]
fn a_bad_setting_stops_the_server_at_start_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("site.db").display());
    for command in [&[][..], &["serve"][..]] {
        let (code, _, stderr) = run_with(command, &[("DATABASE_URL", &url), ("COMMENT_FLOOD_SECONDS", "abc")]);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains("COMMENT_FLOOD_SECONDS=\"abc\" is not a number of seconds"), "{stderr}");
    }
    assert!(!dir.path().join("site.db").exists(), "nothing was started");
}

#[test]
fn a_database_url_this_build_cannot_use_or_reach_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on this machine: nothing listens there.
    for (url, says) in [
        ("postgres://news@127.0.0.1:1/courier", "is the PostgreSQL server running and reachable there?"),
        (
            "postgres://news:hunter2@127.0.0.1:1/courier",
            "DATABASE_URL=postgres://news:…@127.0.0.1:1/courier: the database cannot be opened",
        ),
        ("mysql://news:hunter2@127.0.0.1/courier", "DATABASE_URL must start with sqlite://"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_server"))
            .current_dir(dir.path())
            .env("DATABASE_URL", url)
            // A command opens the database first (`serve` checks its bundles before).
            .args(["comments", "list"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(!stderr.contains("hunter2"), "the password is not repeated: {stderr}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no folder named after the scheme: {url}");
    }
}

#[test]
fn a_database_that_cannot_be_opened_is_named_with_the_reason_and_a_failing_exit() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_database = dir.path().join("notes.txt");
    std::fs::write(&not_a_database, "shopping list: bread, milk, and a backup plan\n".repeat(100)).unwrap();
    let folder = dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    for (path, says) in [
        (not_a_database.clone(), "it is not a SQLite database"),
        (folder.clone(), "unable to open database file (does its folder exist"),
    ] {
        let url = format!("sqlite://{}", path.display());
        // `serve` opens the database the same way, after checking its bundles; the commands
        // open it first.
        let (code, stdout, stderr) = run_with(&["comments", "list"], &[("DATABASE_URL", &url)]);
        assert_eq!(code, Some(1), "{stdout}{stderr}");
        assert!(stderr.contains(&format!("DATABASE_URL={url}: the database cannot be opened")), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line, no repeats, no backtrace: {stderr}");
    }
    assert!(std::fs::read_to_string(&not_a_database).unwrap().starts_with("shopping list"), "left as it was");
}

#[test]
fn the_server_refuses_to_start_without_the_bundles_its_pages_link() {
    let dir = tempfile::tempdir().unwrap();
    let empty_site = dir.path().join("site");
    std::fs::create_dir(&empty_site).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .arg("serve")
        .env("DATABASE_URL", format!("sqlite://{}", dir.path().join("site.db").display()))
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LEPTOS_HASH_FILES", "false")
        .env("LEPTOS_SITE_ROOT", &empty_site)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the server started without its bundles");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("page bundles are missing") && stderr.contains("pkg/newsroom.css"), "{stderr}");
    assert!(stderr.contains("make release"), "says how to rebuild: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!dir.path().join("site.db").exists(), "it stopped before opening the database");
}

/// The server's resident memory in KiB.
fn resident_kib(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.id())).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Opens `count` connections from many loopback addresses, each sending the start of a
/// request with a `cookie_bytes` cookie that never ends; returns the sockets.
async fn half_sent_cookies(address: &str, count: usize, cookie_bytes: usize) -> Vec<tokio::net::TcpStream> {
    use tokio::io::AsyncWriteExt;
    let head = format!("GET / HTTP/1.1\r\nHost: x\r\nCookie: {}", "c".repeat(cookie_bytes));
    let mut sockets = Vec::new();
    for n in 0..count {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("127.0.5.{}:0", n % 200 + 1).parse().unwrap()).unwrap();
        let Ok(mut stream) = socket.connect(address.parse().unwrap()).await else { continue };
        // Past the server's header limit it answers 431 and closes: the rest need not arrive.
        let _ = tokio::time::timeout(Duration::from_millis(50), stream.write_all(head.as_bytes())).await;
        sockets.push(stream);
    }
    sockets
}

#[tokio::test]
async fn header_floods_cost_bounded_memory_and_readers_keep_being_served() {
    let dir = tempfile::tempdir().unwrap();
    let (server, address, _lines) = start_server(
        &format!("sqlite://{}", dir.path().join("site.db").display()),
        &[("MAX_CONNECTIONS_PER_CLIENT", "20")],
    );
    let front = format!("{address}/");
    assert_eq!(reqwest::get(&front).await.unwrap().status(), 200);
    let before = resident_kib(&server);
    let host = address.trim_start_matches("http://");
    // 2,000 connections from 200 addresses: 350 KB cookies (refused at the header limit),
    // then cookies just under the limit, left hanging.
    let mut worst = 0;
    for cookie_bytes in [350_000, 30_000] {
        let sockets = half_sent_cookies(host, 2000, cookie_bytes).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        worst = worst.max(resident_kib(&server));
        // A reader still gets the front page promptly.
        let mut took = Vec::new();
        for _ in 0..15 {
            let started = Instant::now();
            assert_eq!(reqwest::get(&front).await.unwrap().status(), 200);
            took.push(started.elapsed());
        }
        took.sort();
        assert!(took[7] < Duration::from_millis(100), "median front page {:?} during the flood", took[7]);
        drop(sockets);
    }
    let grew_mib = worst.saturating_sub(before) / 1024;
    eprintln!("resident memory {before} KiB before, {worst} KiB at worst: +{grew_mib} MiB");
    assert!(grew_mib < 160, "2,000 half-sent headers grew the server by {grew_mib} MiB");
}

/// Runs a `server` command against `database_url` with `input` on its stdin; returns whether
/// it succeeded and what it printed (stdout, then stderr).
fn run_with_input(database_url: &str, args: &[&str], input: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("DATABASE_URL", database_url)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[tokio::test]
async fn the_first_admin_and_other_staff_are_made_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let add = |email: &'static str, role: &'static str| {
        ["users", "add", "--email", email, "--name", "Mara Quist", "--role", role].map(str::to_owned)
    };
    let args = add("Mara@Courier.example", "admin");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, out) = run_with_input(&db, &args, "harbour7\n");
    assert!(!ok && out.contains("at least 12 characters"), "{out}");
    let (ok, out) = run_with_input(&db, &args, "password1234\n");
    assert!(!ok && out.contains("too easy to guess"), "{out}");
    let (ok, out) = run_with_input(&db, &args, "quist-of-the-courier-9\n");
    assert!(!ok && out.contains("must not contain your name"), "built from the account's own name: {out}");
    let (ok, out) = run_with_input(&db, &args, "lantern ferry mosaic 71\n");
    assert!(ok, "{out}");
    assert!(out.contains("Mara Quist <Mara@courier.example> can now sign in as admin"), "{out}");
    assert!(!out.contains("lantern"), "the password is never printed");

    let again = add("mara@COURIER.example", "editor");
    let again: Vec<&str> = again.iter().map(String::as_str).collect();
    let (ok, out) = run_with_input(&db, &again, "another long passphrase 9\n");
    assert!(!ok && out.contains("already a staff account"), "one account per address, whatever its case: {out}");

    let pool = migrated_pool(&db).await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM staff").fetch_one(&pool).await.unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains("lantern"), "{hash}");

    // The last admin can be neither disabled nor demoted.
    let (ok, out) = run_command(&db, &["users", "disable", "mara@courier.example"]);
    assert!(!ok && out.contains("last admin"), "{out}");
    let (ok, out) = run_command(&db, &["users", "role", "mara@courier.example", "editor"]);
    assert!(!ok && out.contains("last admin"), "{out}");

    let moderator = ["users", "add", "--email", "ravi@courier.example", "--name", "Ravi Old", "--role", "moderator"];
    assert!(run_with_input(&db, &moderator, "cobalt orchard willow 42\n").0);
    let (ok, out) = run_command(&db, &["users", "role", "ravi@courier.example", "editor"]);
    assert!(ok && out.contains("editor") && out.contains("ravi@courier.example"), "{out}");
    let (ok, out) = run_command(&db, &["users", "disable", "RAVI@courier.example"]);
    assert!(ok && out.contains("disabled since"), "{out}");
    let (ok, out) = run_command(&db, &["users", "role", "nobody@courier.example", "admin"]);
    assert!(!ok && out.contains("no staff account has the address nobody@courier.example"), "{out}");
    let (ok, out) = run_command(&db, &["users", "role", "ravi@courier.example", "owner"]);
    assert!(!ok && out.contains("not a role"), "{out}");

    let (ok, out) = run_with_input(&db, &["users", "password", "ravi@courier.example"], "slate meadow lantern 5\n");
    assert!(ok && out.contains("password of ravi@courier.example is changed"), "{out}");
    let (ok, out) = run_command(&db, &["users", "list"]);
    assert!(ok, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].contains("admin") && lines[0].contains("Mara@courier.example") && lines[0].contains("active"));
    assert!(lines[1].contains("editor") && lines[1].contains("Ravi Old") && lines[1].contains("disabled since"));
    assert_eq!(lines[2], "2 staff accounts");

    // The account made on the command line signs in to the running server.
    let (_server, address, _lines) = start_server(&db, &[]);
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let sign_in = |password: &'static str| {
        client
            .post(format!("{address}/admin/sign-in"))
            .form(&[("email", "mara@courier.example"), ("password", password)])
            .send()
    };
    assert_eq!(sign_in("lantern ferry mosaic 72").await.unwrap().status(), 401);
    let signed_in = sign_in("lantern ferry mosaic 71").await.unwrap();
    assert_eq!(signed_in.status(), 303);
    let cookie = signed_in.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let desk = client.get(format!("{address}/admin")).header("Cookie", cookie).send().await.unwrap();
    assert!(desk.text().await.unwrap().contains("Signed in as <strong>Mara Quist</strong> (admin)"));
}

#[path = "api/smtp.rs"]
#[allow(dead_code)]
mod smtp;

/// Confirmed subscribers written straight into the database, as a site that grew has them.
async fn confirmed_subscribers(url: &str, count: usize) -> sqlx::AnyPool {
    let pool = migrated_pool(url).await;
    add_confirmed_subscribers(&pool, count).await;
    pool
}

/// `reader000@example.org`… as confirmed subscribers.
async fn add_confirmed_subscribers(pool: &sqlx::AnyPool, count: usize) {
    for i in 0..count {
        sqlx::query(
            "INSERT INTO subscribers (email, status, created_at) VALUES ($1, 'confirmed', '2026-01-01T00:00:00.000Z')",
        )
        .bind(format!("reader{i:03}@example.org"))
        .execute(pool)
        .await
        .unwrap();
    }
}

// Multi-threaded: the SMTP sink answers while the test waits on the commands it runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_killed_midway_resumes_after_a_restart_and_skips_nobody() {
    let sink = smtp::SmtpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let subscribers = 150;
    let pool = confirmed_subscribers(&url, subscribers).await;
    let smtp_url = sink.url();
    let mail_env =
        [("SMTP_URL", smtp_url.as_str()), ("MAIL_FROM", "news@courier.example"), ("NEWSLETTER_SCHEDULE", "off")];

    // A slow relay (20 mails a second) so the kill lands mid-send.
    let (mut child, address, lines) =
        start_server(&url, &[mail_env.as_slice(), &[("SMTP_RATE_PER_SECOND", "20")]].concat());
    std::thread::spawn(move || for _ in lines {});

    // The operator looks at the mail, tries it on their own inbox, then sends the story.
    let eml = dir.path().join("preview.eml");
    let (ok, out) = run_command(
        &url,
        &["newsletter", "preview", "--article", "harbour-bridge-reopens", "--out", eml.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    let preview = std::fs::read_to_string(&eml).unwrap();
    assert!(preview.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{preview}");
    assert!(preview.contains("Subject: The Northfield Courier: "), "{preview}");
    let (code, out, err) = run_with(
        &["newsletter", "test", "--to", "editor@example.org", "--article", "harbour-bridge-reopens"],
        &[mail_env.as_slice(), &[("DATABASE_URL", url.as_str())]].concat(),
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(sink.wait_for(1, Duration::from_secs(10)).await[0].to, ["editor@example.org"]);

    let (ok, out) = run_command(&url, &["newsletter", "send", "--article", "harbour-bridge-reopens"]);
    assert!(ok, "{out}");
    assert!(out.contains(&format!("for {subscribers} subscribers")), "{out}");
    let (ok, out) = run_command(&url, &["newsletter", "send", "--article", "harbour-bridge-reopens"]);
    assert!(!ok && out.contains("already sent"), "a story goes out once: {out}");

    sink.wait_for(41, Duration::from_secs(20)).await;
    child.kill().unwrap(); // kill -9: no graceful anything
    child.wait().unwrap();
    let before_restart = sink.received().len();
    assert!(before_restart < subscribers, "killed mid-send ({before_restart} mails)");

    // Restarted where it ran (the node killed without leaving is this one, not a second node).
    let listen = address.trim_start_matches("http://");
    let (_restarted, _, lines) = start_server(&url, &[mail_env.as_slice(), &[("LEPTOS_SITE_ADDR", listen)]].concat());
    std::thread::spawn(move || for _ in lines {});
    // Mails claimed by the killed process wait out their 30 s lease; the rest go at once.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM newsletter_deliveries WHERE status = 'queued'")
            .fetch_one(&pool)
            .await
            .unwrap();
        if queued == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{queued} deliveries still queued");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut per_address = std::collections::BTreeMap::<String, usize>::new();
    for mail in sink.received().iter().filter(|m| m.to[0] != "editor@example.org") {
        *per_address.entry(mail.to[0].clone()).or_default() += 1;
    }
    assert_eq!(per_address.len(), subscribers, "every subscriber got the story");
    let twice = per_address.values().filter(|&&n| n > 1).count();
    assert!(twice <= 32, "only the mails in flight at the kill (one batch) may go twice: {twice}");
    assert!(per_address.values().all(|&n| n <= 2));

    let (ok, status) = run_command(&url, &["newsletter", "status"]);
    assert!(ok, "{status}");
    assert!(status.contains(&format!("{subscribers} recipients: {subscribers} sent, 0 queued")), "{status}");
}

/// A pool for the test's own SQL (either engine) on the database at `url`, migrated first the
/// way the server does.
async fn migrated_pool(url: &str) -> sqlx::AnyPool {
    app::db::Db::connect(url).await.unwrap().close().await;
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new().max_connections(4).connect(url).await.unwrap()
}

/// A new, empty database for one test: `site.db` in `dir`, or a fresh PostgreSQL database when
/// `TEST_POSTGRES` names a server (`make test` runs these tests on both engines).
fn database_url(dir: &std::path::Path) -> String {
    match std::env::var("TEST_POSTGRES") {
        // On a thread of its own: some callers are already inside a runtime.
        Ok(server) => std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(app::db::fresh_postgres_database(&server))
        })
        .join()
        .unwrap(),
        Err(_) => format!("sqlite://{}", dir.join("site.db").display()),
    }
}

#[tokio::test]
async fn a_sqlite_site_moves_to_postgresql_with_everything_it_holds() {
    // The move needs a PostgreSQL server: it runs in the PostgreSQL pass of `make test`.
    if std::env::var_os("TEST_POSTGRES").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("site.db").display());
    {
        let (_server, address, lines) = start_server(&sqlite, &[("COMMENT_FLOOD_SECONDS", "0")]);
        std::thread::spawn(move || for _ in lines {});
        assert_eq!(post_numbered_comments(&address, 0..5).await, 5);
    }
    let (ok, said) = run_with_input(
        &sqlite,
        &["users", "add", "--email", "ed@courier.example", "--name", "Ed Itor", "--role", "editor"],
        "harbour lantern quay 42\n",
    );
    assert!(ok, "{said}");
    let source = migrated_pool(&sqlite).await;
    sqlx::query("INSERT INTO subscribers (email, status, created_at) VALUES ('reader@example.org', 'confirmed', '2026-01-01T00:00:00.000Z')")
        .execute(&source)
        .await
        .unwrap();

    let target = database_url(dir.path());
    let (ok, said) = run_command(&sqlite, &["copy-to", &target]);
    assert!(ok, "{said}");
    assert!(said.contains("5 comments, 1 subscribers and 1 staff accounts"), "{said}");
    let copy = migrated_pool(&target).await;
    for table in [
        "stories",
        "articles",
        "comments",
        "comment_events",
        "subscribers",
        "staff",
        "article_search",
        "article_keywords",
        "article_tags",
    ] {
        let count = format!("SELECT COUNT(*) FROM {table}");
        let there: i64 = sqlx::query_scalar(&count).fetch_one(&source).await.unwrap();
        let here: i64 = sqlx::query_scalar(&count).fetch_one(&copy).await.unwrap();
        assert_eq!(here, there, "{table}");
    }
    let (ok, said) = run_command(&sqlite, &["copy-to", &target]);
    assert!(!ok && said.contains("already holds a site"), "never copied over a site: {said}");

    // The site runs on the copy: comments shown, search finds, a new comment follows the old.
    let (_server, address, lines) = start_server(&target, &[("COMMENT_FLOOD_SECONDS", "0")]);
    std::thread::spawn(move || for _ in lines {});
    let page = page_showing(&format!("{address}/article/harbour-bridge-reopens"), "Backup comment 4").await;
    assert!(page.contains("Backup comment 0") && page.contains("Backup comment 4"), "{page}");
    let found = reqwest::get(format!("{address}/search?q=bridge")).await.unwrap().text().await.unwrap();
    assert!(found.contains("/article/harbour-bridge-reopens"), "the search index came along: {found}");
    assert_eq!(post_numbered_comments(&address, 5..6).await, 1);
    let newest: i64 = sqlx::query_scalar("SELECT MAX(id) FROM comments").fetch_one(&copy).await.unwrap();
    let copied: i64 = sqlx::query_scalar("SELECT MAX(id) FROM comments").fetch_one(&source).await.unwrap();
    assert!(newest > copied, "ids go on after the copied ones");
}

/// Posts a comment as the client at `client` (through a trusted proxy's X-Forwarded-For).
async fn post_as(address: &str, client: &str, body: &str, email: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{address}/api/comments/post"))
        .header("Accept", "application/json")
        .header("X-Forwarded-For", client)
        .form(&[("article", "harbour-bridge-reopens"), ("comment", body), ("author", "Noor"), ("email", email)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Reads an event stream until it holds `text` (or panics after `within`); returns what it
/// read and the last event id in it.
async fn stream_until(stream: &mut reqwest::Response, text: &str, within: Duration) -> (String, Option<String>) {
    let mut received = String::new();
    let deadline = tokio::time::Instant::now() + within;
    while !received.contains(text) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("{text:?} did not arrive: {received}"))
            .unwrap()
            .unwrap();
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    let last_id = received.lines().rev().find_map(|l| l.strip_prefix("id:")).map(|id| id.trim().to_owned());
    (received, last_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_on_one_postgresql_database_serve_as_one_site() {
    if std::env::var_os("TEST_POSTGRES").is_none() {
        return; // nodes share a PostgreSQL database: the PostgreSQL pass of `make test`
    }
    let sink = smtp::SmtpSink::start().await;
    let smtp_url = sink.url();
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let env: Vec<(&str, &str)> = vec![
        ("TRUSTED_PROXIES", "127.0.0.1"),
        ("COMMENT_FLOOD_SECONDS", "15"),
        ("NEWSLETTER_SIGNUPS_PER_HOUR", "3"),
        ("SMTP_URL", &smtp_url),
        ("MAIL_FROM", "news@courier.example"),
        ("NEWSLETTER_SCHEDULE", "off"),
        ("SITE_URL", "http://news.example.test"),
    ];

    // Three nodes started at the same moment on an empty database: one migration, one seeding.
    let starting: Vec<_> = (0..3)
        .map(|_| {
            let (url, env) = (url.clone(), env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>());
            std::thread::spawn(move || {
                let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let (server, address, lines) = start_server(&url, &env);
                std::thread::spawn(move || for _ in lines {});
                (server, address)
            })
        })
        .collect();
    let mut nodes: Vec<(Server, String)> = starting.into_iter().map(|t| t.join().unwrap()).collect();
    let pool = migrated_pool(&url).await;
    let stories: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(&pool).await.unwrap();
    let files = std::fs::read_dir(content_dir())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "md"))
        .count();
    assert!(stories > 0 && stories as usize <= files, "seeded once: {stories} stories from {files} files");
    let doubled: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT article_id, body FROM comments GROUP BY article_id, body HAVING COUNT(*) > 1) d",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(doubled, 0, "the demo comments were seeded once");
    let [a, b, c] = [nodes[0].1.clone(), nodes[1].1.clone(), nodes[2].1.clone()];

    // A comment posted on A reaches live readers on B and C, and B's cached page, within a second.
    let article = "/article/harbour-bridge-reopens";
    let _ = reqwest::get(format!("{b}{article}")).await.unwrap().text().await.unwrap(); // cached on B
    let mut on_b = reqwest::get(format!("{b}/api/comments/live/harbour-bridge-reopens")).await.unwrap();
    let mut on_c = reqwest::get(format!("{c}/api/comments/live/harbour-bridge-reopens")).await.unwrap();
    // What the nodes hear: the database announces the change (they look at once, not at their
    // next 250 ms look).
    let mut notices = sqlx::postgres::PgListener::connect(&url).await.unwrap();
    notices.listen("newsroom_changes").await.unwrap();
    assert_eq!(post_as(&a, "203.0.113.10", "Posted on node A, read on B and C", "a@example.org").await, 200);
    let posted = Instant::now();
    let notice = tokio::time::timeout(Duration::from_secs(1), notices.recv()).await.unwrap().unwrap();
    assert!(["content_version", "comment_events"].contains(&notice.payload()), "{notice:?}");
    stream_until(&mut on_b, "Posted on node A, read on B and C", Duration::from_secs(1)).await;
    let (_, last_on_c) = stream_until(&mut on_c, "Posted on node A, read on B and C", Duration::from_secs(1)).await;
    let page = page_showing(&format!("{b}{article}"), "Posted on node A, read on B and C").await;
    assert!(page.contains("Posted on node A, read on B and C"), "B's cached page shows it");
    assert!(posted.elapsed() < Duration::from_secs(1), "everything within a second: {:?}", posted.elapsed());

    // Flood control holds across nodes: six posts at once from one address, two per node.
    let tries: Vec<_> = (0..6)
        .map(|i| {
            let node = [&a, &b, &c][i % 3].clone();
            tokio::spawn(
                async move { post_as(&node, "203.0.113.20", &format!("Flood try {i}"), "f@example.org").await },
            )
        })
        .collect();
    let mut codes = Vec::new();
    for t in tries {
        codes.push(t.await.unwrap());
    }
    codes.sort();
    assert_eq!(codes, [200, 429, 429, 429, 429, 429], "exactly one accepted");

    // The same comment sent from six addresses through all nodes at once is stored once.
    let tries: Vec<_> = (0..6)
        .map(|i| {
            let node = [&a, &b, &c][i % 3].clone();
            tokio::spawn(async move {
                post_as(&node, &format!("203.0.113.{}", 30 + i), "The very same words, racing", "d@example.org").await
            })
        })
        .collect();
    for t in tries {
        t.await.unwrap();
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE body = 'The very same words, racing'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 1, "a duplicate check that holds across nodes");

    // Sign-ups past the limit (3 an hour) split over the nodes are refused.
    let mut granted = 0;
    for i in 0..9 {
        let response = reqwest::Client::new()
            .post(format!("{}/api/newsletter/subscribe", [&a, &b, &c][i % 3]))
            .header("Accept", "application/json")
            .header("X-Forwarded-For", "198.51.100.9")
            .form(&[("email", format!("signup{i}@example.org"))])
            .send()
            .await
            .unwrap();
        granted += usize::from(response.status() == 200);
    }
    assert_eq!(granted, 3, "one allowance for the address, whichever node it reaches");

    // 200 queued mails: each goes out once, whichever node claims it.
    sink.wait_for(3, Duration::from_secs(20)).await; // the three confirmation mails
    add_confirmed_subscribers(&pool, 200).await;
    let (ok, out) = run_command(&url, &["newsletter", "send", "--article", "harbour-bridge-reopens"]);
    assert!(ok, "{out}");
    let mails = sink.wait_for(203, Duration::from_secs(60)).await;
    let mut per_address = std::collections::BTreeMap::<String, usize>::new();
    for mail in mails.iter().filter(|m| m.to[0].starts_with("reader")) {
        *per_address.entry(mail.to[0].clone()).or_default() += 1;
    }
    assert_eq!(per_address.len(), 200, "every subscriber got the story");
    assert!(per_address.values().all(|&n| n == 1), "and got it once");

    // Views counted on every node add up (each node writes its counts every 2 s).
    let views = "SELECT CAST(COALESCE(SUM(v.views), 0) AS BIGINT) FROM article_views v \
                 JOIN articles a ON a.id = v.article_id WHERE a.slug = 'tram-timetable-app'";
    let before: i64 = sqlx::query_scalar(views).fetch_one(&pool).await.unwrap();
    for i in 0..15 {
        let response = reqwest::Client::new()
            .get(format!("{}/article/tram-timetable-app", [&a, &b, &c][i % 3]))
            .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36")
            .header("X-Forwarded-For", format!("198.51.100.{}", 100 + i))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let counted: i64 = sqlx::query_scalar(views).fetch_one(&pool).await.unwrap();
        if counted - before == 15 {
            break;
        }
        assert!(counted - before < 15 && Instant::now() < deadline, "{} views counted of 15", counted - before);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // kill -9 of node C while readers post through all three: nothing acknowledged is lost,
    // and C's live reader reconnects to A with Last-Event-ID and misses nothing.
    let posting: Vec<_> = (0..30)
        .map(|i| {
            let node = [&a, &b, &c][i % 3].clone();
            tokio::spawn(async move {
                let body = format!("Load comment {i}");
                let ok = reqwest::Client::new()
                    .post(format!("{node}/api/comments/post"))
                    .header("Accept", "application/json")
                    .header("X-Forwarded-For", format!("192.0.2.{}", 10 + i))
                    .form(&[
                        ("article", "harbour-bridge-reopens"),
                        ("comment", body.as_str()),
                        ("author", "Noor"),
                        ("email", "l@example.org"),
                    ])
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200);
                ok.then_some(body)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let (mut killed, _) = nodes.pop().unwrap();
    killed.0.kill().unwrap();
    killed.0.wait().unwrap();
    let mut acknowledged = Vec::new();
    for p in posting {
        acknowledged.extend(p.await.unwrap());
    }
    assert!(acknowledged.len() >= 20, "A and B went on answering: {}", acknowledged.len());
    for body in &acknowledged {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE body = $1")
            .bind(body)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, 1, "{body} was acknowledged");
    }
    let reconnect = reqwest::Client::new()
        .get(format!("{a}/api/comments/live/harbour-bridge-reopens"))
        .header("Last-Event-ID", last_on_c.expect("C's stream named its events"))
        .send()
        .await
        .unwrap();
    let mut reconnect = reconnect;
    let mut replayed = String::new();
    for body in &acknowledged {
        if !replayed.contains(body.as_str()) {
            replayed.push_str(&stream_until(&mut reconnect, body, Duration::from_secs(5)).await.0);
        }
    }
    assert!(!replayed.contains("Posted on node A, read on B and C"), "what C's reader had is not sent again");
}

fn content_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

/// A throw-away PostgreSQL cluster of this test's own (scripts/postgres-cluster.sh), removed
/// when dropped.
struct OwnCluster(std::path::PathBuf, #[allow(dead_code)] tempfile::TempDir);

impl OwnCluster {
    fn start() -> (OwnCluster, String) {
        let work = tempfile::tempdir().unwrap();
        // Run as root, the cluster belongs to the postgres user, which must reach the folder.
        std::fs::set_permissions(work.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let cluster = OwnCluster(work.path().join("cluster"), work);
        let out = cluster.script("start");
        (cluster, String::from_utf8(out.stdout).unwrap().trim().to_owned())
    }

    fn script(&self, action: &str) -> std::process::Output {
        let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/postgres-cluster.sh"))
            .arg(action)
            .arg(&self.0)
            .output()
            .unwrap();
        assert!(out.status.success(), "{action}: {}", String::from_utf8_lossy(&out.stderr));
        out
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/postgres-cluster.sh"))
            .arg("stop")
            .arg(&self.0)
            .output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_while_serving_is_a_short_503_and_the_site_comes_back_by_itself() {
    if std::env::var_os("TEST_POSTGRES").is_none() {
        return; // it restarts a PostgreSQL server of its own: the PostgreSQL pass of `make test`
    }
    let (cluster, url) = OwnCluster::start();
    let (_server, address, lines) = start_server(&url, &[("COMMENT_FLOOD_SECONDS", "0")]);
    std::thread::spawn(move || for _ in lines {});
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    assert_eq!(client.get(format!("{address}/article/harbour-bridge-reopens")).send().await.unwrap().status(), 200);
    let mut live = client.get(format!("{address}/api/comments/live/harbour-bridge-reopens")).send().await.unwrap();

    cluster.script("down");
    // A page nobody asked for yet (so not cached) and a post: a short 503, never a hang or a 500.
    let asked = Instant::now();
    let page = client.get(format!("{address}/search?q=harbour")).send().await.unwrap();
    assert_eq!(page.status(), 503, "{:?}", page.headers());
    assert_eq!(page.headers()["retry-after"], "5");
    let text = page.text().await.unwrap();
    assert!(!text.contains("error returned") && !text.contains("Connection refused"), "{text}");
    assert!(asked.elapsed() < Duration::from_secs(5), "answered in {:?}", asked.elapsed());
    let posted = client
        .post(format!("{address}/api/comments/post"))
        .header("Accept", "application/json")
        .form(&[
            ("article", "harbour-bridge-reopens"),
            ("comment", "While the database was away"),
            ("author", "Noor"),
            ("email", "n@example.org"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 503);
    assert_eq!(posted.headers()["retry-after"], "5");
    let said = posted.text().await.unwrap();
    assert!(!said.contains("error returned") && !said.contains("refused"), "{said}");

    cluster.script("up");
    // Back without restarting the server, and live comments flow again.
    let deadline = Instant::now() + Duration::from_secs(10);
    while client.get(format!("{address}/search?q=harbour")).send().await.unwrap().status() != 200 {
        assert!(Instant::now() < deadline, "the site did not come back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(post_as(&address, "127.0.0.1", "After the database came back", "n@example.org").await, 200);
    stream_until(&mut live, "After the database came back", Duration::from_secs(2)).await;
}
