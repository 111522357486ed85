//! `server serve` (or plain `server`): serves the site until SIGTERM or Ctrl-C. It first checks
//! that the page bundles (CSS, JS, wasm) it will link are under the site root, and refuses to
//! start without them: pages would be unstyled and never start their scripts, with nothing in
//! the log (e.g. after `cargo leptos watch` rebuilt the site root with other hashed names).

use std::path::{Path, PathBuf};

use leptos::config::LeptosOptions;

use crate::config::ServeSettings;
use crate::startup::{shutdown_signal, Application};

pub async fn run(settings: ServeSettings) -> anyhow::Result<()> {
    let config = settings.into_config()?;
    let exe_dir = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_owned));
    check_bundles(&config.leptos, exe_dir.as_deref())?;
    let app = Application::build(config).await?;
    tracing::info!("listening on http://{}", app.local_addr());
    app.run_until(shutdown_signal()).await?;
    Ok(())
}

/// The files behind the bundle names the pages link (`app::site::bundles`), under the site
/// root, and the hash file the names came from.
pub fn bundle_files(options: &LeptosOptions, exe_dir: Option<&Path>) -> (Vec<PathBuf>, Option<PathBuf>) {
    let bundles = app::site::bundles::bundles_for(options, exe_dir);
    let root = Path::new(options.site_root.as_ref());
    let files =
        [&bundles.css, &bundles.js, &bundles.wasm].iter().map(|path| root.join(path.trim_start_matches('/'))).collect();
    (files, bundles.hash_file)
}

/// Fails, naming the missing files and how to rebuild them, when a bundle the pages would
/// link is not under the site root.
pub fn check_bundles(options: &LeptosOptions, exe_dir: Option<&Path>) -> anyhow::Result<()> {
    let (files, hash_file) = bundle_files(options, exe_dir);
    let missing: Vec<String> = files.iter().filter(|f| !f.is_file()).map(|f| format!("  {}", f.display())).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let names = match hash_file {
        Some(file) => format!("the names {} gives", file.display()),
        None if options.hash_files => "no hash file beside this binary, so names without hashes".to_owned(),
        None => "names without hashes (hash-files is off)".to_owned(),
    };
    anyhow::bail!(
        "the page bundles are missing from the site root {root} ({names}):\n{list}\n\
         Pages would be unstyled and never start their scripts. Rebuild the server and its site \
         together with `make release` (= cargo leptos build --release --precompress), or set \
         LEPTOS_SITE_ROOT to the site this binary was built with. (`make run` builds into \
         target/site-dev; a plain `cargo leptos watch` rewrites target/site with other names.)",
        root = options.site_root,
        list = missing.join("\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(site_root: &Path, hash_files: bool) -> LeptosOptions {
        LeptosOptions::builder()
            .output_name("newsroom")
            .site_root(site_root.to_str().unwrap())
            .hash_files(hash_files)
            .build()
    }

    #[test]
    fn names_come_from_the_hash_file_beside_the_binary() {
        let dir = tempfile::tempdir().unwrap();
        let (root, bin) = (dir.path().join("site"), dir.path().join("release"));
        std::fs::create_dir_all(root.join("pkg")).unwrap();
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("hash.txt"), "js: aaa\nwasm: bbb\ncss: ccc\n").unwrap();
        let options = options(&root, true);

        let (files, hash_file) = bundle_files(&options, Some(&bin));
        let names: Vec<_> = files.iter().map(|f| f.strip_prefix(&root).unwrap().to_str().unwrap().to_owned()).collect();
        assert_eq!(names, ["pkg/newsroom.ccc.css", "pkg/newsroom.aaa.js", "pkg/newsroom.bbb.wasm"]);
        assert_eq!(hash_file, Some(bin.join("hash.txt")));

        let error = check_bundles(&options, Some(&bin)).unwrap_err().to_string();
        assert!(error.contains("newsroom.ccc.css") && error.contains("make release"), "{error}");
        for file in &files {
            std::fs::write(file, "").unwrap();
        }
        check_bundles(&options, Some(&bin)).unwrap();

        // Other names (say, a development build's) do not count.
        std::fs::write(bin.join("hash.txt"), "js: ddd\nwasm: eee\ncss: fff\n").unwrap();
        assert!(check_bundles(&options, Some(&bin)).unwrap_err().to_string().contains("newsroom.fff.css"));
    }

    #[test]
    fn without_hashes_the_plain_names_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let (files, hash_file) = bundle_files(&options(dir.path(), false), Some(dir.path()));
        assert_eq!(hash_file, None);
        assert!(files[0].ends_with("pkg/newsroom.css") && files[1].ends_with("pkg/newsroom.js"), "{files:?}");
        assert!(check_bundles(&options(dir.path(), false), None)
            .unwrap_err()
            .to_string()
            .contains("hash-files is off"));
    }
}
