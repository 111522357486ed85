//! The README's nginx example, run as written in front of the server.

use std::process::{Command, Stdio};
use std::time::Duration;

use app::core::SiteUrl;

use crate::helpers::spawn_app_with;

/// The `nginx` block of README.md.
fn readme_location_block() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let start = readme.find("```nginx\n").expect("README.md has an nginx example") + "```nginx\n".len();
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_owned()
}

/// nginx in the foreground, stopped with the test.
struct Nginx(std::process::Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_nginx(dir: &std::path::Path, location: &str) -> (Nginx, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let prefix = dir.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {prefix}/tmp;\n  proxy_temp_path {prefix}/tmp;\n\
         fastcgi_temp_path {prefix}/tmp;\n  uwsgi_temp_path {prefix}/tmp;\n  scgi_temp_path {prefix}/tmp;\n\
         server {{\n  listen 127.0.0.1:{port};\n  server_name news.example.org;\n{location}\n}}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("nginx is installed (scripts/bootstrap.sh test installs it)");
    let nginx = Nginx(
        Command::new(nginx)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (nginx, format!("http://127.0.0.1:{port}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nginx did not start: {}", std::fs::read_to_string(dir.join("error.log")).unwrap_or_default());
}

#[tokio::test]
async fn a_comment_posted_through_the_readme_nginx_example_is_accepted() {
    let app = spawn_app_with(|c| {
        c.site_url = Some(SiteUrl::parse("https://news.example.org").unwrap());
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let location = readme_location_block().replace("http://127.0.0.1:3000", &app.address);
    assert!(location.contains(&app.address), "the example proxies to 127.0.0.1:3000");
    let (_nginx, proxy) = start_nginx(dir.path(), &location);

    // As the browser posts the form without JavaScript, from the public https page.
    let body = "Posted from behind the proxy.";
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = client
        .post(format!("{proxy}/api/comments/post"))
        .header("Origin", "https://news.example.org")
        .header("Referer", "https://news.example.org/article/tram-timetable-app")
        .header("Accept", "text/html")
        .header("X-Forwarded-For", "198.51.100.99")
        .form(&[
            ("article", "tram-timetable-app"),
            ("comment", body),
            ("author", "Proxy Reader"),
            ("email", "proxy.reader@example.org"),
            ("url", ""),
            ("parent_id", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/article/tram-timetable-app#comment-"), "{location}");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE body = $1")
        .bind(body)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);

    // The wrong scheme is still refused through the proxy.
    let refused = client
        .post(format!("{proxy}/api/comments/post"))
        .header("Origin", "http://news.example.org")
        .header("Accept", "text/html")
        .form(&[("article", "tram-timetable-app"), ("comment", "x"), ("author", "x"), ("email", "x@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}
