//! Stories in the desk: write, preview, publish, schedule, unpublish, revisions, delete — and
//! who may do which, checked on the server.

use app::staff::{password::NewPassword, store, Role};

use crate::desk::{desk_app, form_token, get_as, session_cookie, sign_in, PASSWORD};
use crate::helpers::TestApp;

/// Adds a staff account named `name` and signs it in; returns the session cookie and the id.
async fn writer(app: &TestApp, name: &str, role: Role) -> (String, i64) {
    let email = format!("{}@courier.example", name.split(' ').next().unwrap().to_lowercase());
    let hash = NewPassword::parse(PASSWORD, &[]).unwrap().hash();
    let id = store::add(&app.db, &app::core::Email::parse(&email).unwrap(), name, role, &hash).await.unwrap();
    let response = sign_in(app, &email, PASSWORD, "198.51.100.20").await;
    assert_eq!(response.status(), 303, "{name} signs in");
    (session_cookie(&response), id)
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> (u16, String) {
    let response = get_as(app, path, cookie).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Posts a desk form as a browser does; returns status, `Location` and the page.
async fn post(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
    let response =
        app.client.post(format!("{}{path}", app.address)).header("Cookie", cookie).form(fields).send().await.unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

/// The value of the hidden `revision` field of the editor page.
fn revision_field(page: &str) -> String {
    let at = page.find("name=\"revision\" value=\"").unwrap() + "name=\"revision\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

struct Draft<'a> {
    title: &'a str,
    slug: &'a str,
    markdown: &'a str,
    author: i64,
}

impl Draft<'_> {
    fn fields(&self, token: &str, revision: &str, action: &'static str) -> Vec<(&'static str, String)> {
        vec![
            ("token", token.to_owned()),
            ("revision", revision.to_owned()),
            ("title", self.title.to_owned()),
            ("slug", self.slug.to_owned()),
            ("summary", "Night crews start on the river wall.".to_owned()),
            ("section", "City".to_owned()),
            ("tags", "harbour, night work".to_owned()),
            ("author", self.author.to_string()),
            ("image", String::new()),
            ("markdown", self.markdown.to_owned()),
            ("action", action.to_owned()),
        ]
    }
}

fn as_refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Creates the draft as `cookie`'s writer; returns its editor path.
async fn create(app: &TestApp, cookie: &str, draft: &Draft<'_>) -> String {
    let token = form_token(&page(app, "/admin/articles/new", cookie).await.1);
    let fields = draft.fields(&token, "", "save");
    let (status, location, body) = post(app, "/admin/articles/new", cookie, &as_refs(&fields)).await;
    assert_eq!(status, 303, "{body}");
    assert!(location.ends_with("?done=saved"), "{location}");
    location.trim_end_matches("?done=saved").to_owned()
}

/// Submits the editor at `path` with `action`, at the revision the page shows now.
async fn submit(
    app: &TestApp,
    cookie: &str,
    path: &str,
    draft: &Draft<'_>,
    action: &'static str,
) -> (u16, String, String) {
    let editor = page(app, path, cookie).await.1;
    let fields = draft.fields(&form_token(&editor), &revision_field(&editor), action);
    post(app, path, cookie, &as_refs(&fields)).await
}

#[tokio::test]
async fn an_editor_writes_previews_publishes_and_unpublishes_a_story() {
    let app = desk_app().await;
    let (editor, editor_id) = writer(&app, "Imke Editor", Role::Editor).await;
    let draft = Draft {
        title: "Quay Wall Repairs Begin",
        slug: "",
        markdown: "Crews start on the **quay wall** tonight. Zanzibarite grout is used.\n\n<script>alert(1)</script>",
        author: editor_id,
    };
    let list = page(&app, "/admin/articles", &editor).await;
    assert_eq!(list.0, 200);
    assert!(list.1.contains("Harbour Bridge Reopens"), "editors see every story, imported ones too");
    let path = create(&app, &editor, &draft).await;

    // A draft is nowhere public.
    assert_eq!(app.get("/article/quay-wall-repairs-begin").await.0, 404, "the slug came from the title");
    assert!(!app.get("/").await.1.contains("Quay Wall Repairs Begin"));
    assert!(!app.get("/feed.xml").await.1.contains("Quay Wall Repairs Begin"));
    assert!(!app.get("/search?q=zanzibarite").await.1.contains("Quay Wall Repairs Begin"));
    let (status, editor_page) = page(&app, &path, &editor).await;
    assert_eq!(status, 200);
    assert!(editor_page.contains("Draft: readers do not see it."), "{editor_page}");

    // Preview renders what readers will get, sanitised, and saves nothing.
    let (status, _, preview) = submit(&app, &editor, &path, &draft, "preview").await;
    assert_eq!(status, 200);
    assert!(preview.contains("Preview (not public)"));
    assert!(preview.contains("<strong>quay wall</strong>"), "{preview}");
    assert!(!preview.contains("<script>alert(1)</script>"), "the preview is sanitised like the page: {preview}");
    // "Preview the page": the article as readers will get it, by the readers' own component.
    let (status, _, whole) = submit(&app, &editor, &path, &draft, "page-preview").await;
    assert_eq!(status, 200);
    assert!(whole.contains("Preview, not public"), "{whole}");
    assert!(whole.contains("<h1 class=\"article-title\">Quay Wall Repairs Begin</h1>"), "{whole}");
    assert!(whole.contains("href=\"/category/city\" class=\"kicker\">City</a>"), "the section: {whole}");
    assert!(whole.contains("href=\"/author/imke-editor\" class=\"byline\">Imke Editor</a>"), "the byline: {whole}");
    assert!(whole.contains("href=\"/tag/night-work\">night work</a>"), "the tags: {whole}");
    assert!(whole.contains("<strong>quay wall</strong>") && !whole.contains("<script>alert(1)"), "{whole}");
    assert!(whole.contains("name=\"robots\" content=\"noindex\""), "never indexed");
    assert_eq!(app.count("story_revisions WHERE title = 'Quay Wall Repairs Begin'").await, 1, "nothing saved");
    assert!(!app.get("/sitemap.xml").await.1.contains("quay-wall"), "a draft is not in the sitemap");

    let (status, location, _) = submit(&app, &editor, &path, &draft, "publish").await;
    assert_eq!((status, location.as_str()), (303, format!("{path}?done=published").as_str()));
    let (status, article) = app.get("/article/quay-wall-repairs-begin").await;
    assert_eq!(status, 200);
    assert!(article.contains("<strong>quay wall</strong>") && !article.contains("<script>alert(1)"));
    assert!(app.get("/").await.1.contains("Quay Wall Repairs Begin"), "on the front page at once");
    assert!(app.get("/feed.xml").await.1.contains("Quay Wall Repairs Begin"), "in the feed");
    assert!(app.get("/search?q=zanzibarite").await.1.contains("Quay Wall Repairs Begin"), "and in search");
    assert!(
        app.get("/sitemap.xml").await.1.contains("/article/quay-wall-repairs-begin"),
        "in the sitemap at once, though it was listed a moment ago"
    );

    let (status, location, _) = submit(&app, &editor, &path, &draft, "unpublish").await;
    assert_eq!((status, location.as_str()), (303, format!("{path}?done=unpublished").as_str()));
    assert_eq!(app.get("/article/quay-wall-repairs-begin").await.0, 404);
    assert!(!app.get("/").await.1.contains("Quay Wall Repairs Begin"));
    assert!(!app.get("/search?q=zanzibarite").await.1.contains("Quay Wall Repairs Begin"));
    assert!(!app.get("/sitemap.xml").await.1.contains("quay-wall"), "nor in the sitemap");

    let audit: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE '%story%' ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(audit, ["saved a story", "published a story", "unpublished a story"]);
}

#[tokio::test]
async fn authors_write_only_their_own_drafts_and_every_step_is_checked_on_the_server() {
    let app = desk_app().await;
    let (ann, ann_id) = writer(&app, "Ann Author", Role::Author).await;
    let (ben, _) = writer(&app, "Ben Author", Role::Author).await;
    let (editor, _) = writer(&app, "Imke Editor", Role::Editor).await;
    let (moderator, _) = writer(&app, "Mo Moderator", Role::Moderator).await;
    let draft =
        Draft { title: "Ferry Fares Frozen", slug: "ferry-fares", markdown: "Fares stay as they are.", author: ann_id };
    let path = create(&app, &ann, &draft).await;

    let own = page(&app, "/admin/articles", &ann).await.1;
    assert!(own.contains("Ferry Fares Frozen") && !own.contains("Harbour Bridge Reopens"), "authors list their own");
    assert!(!page(&app, "/admin/articles", &ben).await.1.contains("Ferry Fares Frozen"));
    assert_eq!(page(&app, &path, &ben).await.0, 403, "another author's story is closed");
    let ben_token = form_token(&page(&app, "/admin/articles/new", &ben).await.1);
    let fields = draft.fields(&ben_token, "1", "save");
    assert_eq!(post(&app, &path, &ben, &as_refs(&fields)).await.0, 403, "and cannot be changed by posting");
    assert_eq!(page(&app, "/admin/articles", &moderator).await.0, 403, "moderators have no stories");
    assert_eq!(app.get("/admin/articles").await.0, 303, "signed out: to the sign-in");

    // The editor's buttons are not on an author's page, and posting them anyway is refused.
    let editor_page = page(&app, &path, &ann).await.1;
    assert!(!editor_page.contains("value=\"publish\""), "no Publish button for authors");
    let (status, _, refused) = submit(&app, &ann, &path, &draft, "publish").await;
    assert_eq!(status, 403);
    assert!(refused.contains("an editor publishes"), "{refused}");
    assert!(refused.contains("Fares stay as they are."), "the typed text is kept");
    assert_eq!(app.get("/article/ferry-fares").await.0, 404);
    // A post without the session's form token does nothing (the text comes back to resend).
    let mut forged = draft.fields("", "1", "save");
    forged[0].1 = "0".repeat(64);
    forged[9].1 = "Forged words.".to_owned();
    let (status, _, answer) = post(&app, &path, &ann, &as_refs(&forged)).await;
    assert_eq!(status, 409);
    assert!(answer.contains("nothing was saved"));
    assert_eq!(app.count("stories WHERE markdown LIKE '%Forged words%'").await, 0);

    // Authors cannot name someone else as the author: the byline is theirs.
    let other = Draft { author: 1, ..draft };
    assert_eq!(submit(&app, &ann, &path, &other, "save").await.0, 303);
    let byline: String = sqlx::query_scalar(
        "SELECT au.name FROM stories s JOIN authors au ON au.id = s.author_id WHERE s.slug = 'ferry-fares'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(byline, "Ann Author");
    let (status, _, preview) = submit(&app, &ann, &path, &other, "page-preview").await;
    assert_eq!(status, 200);
    assert!(preview.contains("class=\"byline\">Ann Author</a>"), "nor in the page preview: {preview}");

    // Once an editor put it out, it is the editors'.
    assert_eq!(submit(&app, &editor, &path, &draft, "publish").await.0, 303);
    assert_eq!(app.get("/article/ferry-fares").await.0, 200);
    let (status, _, refused) = submit(&app, &ann, &path, &draft, "save").await;
    assert_eq!(status, 403);
    assert!(refused.contains("only an editor changes it now"), "{refused}");
    assert_eq!(page(&app, &format!("{path}/delete"), &ann).await.0, 403, "nor may the author delete it");
}

#[tokio::test]
async fn slugs_are_checked_stale_saves_are_refused_and_revisions_restore() {
    let app = desk_app().await;
    let (first, editor_id) = writer(&app, "Imke Editor", Role::Editor).await;
    let (second, _) = writer(&app, "Jon Editor", Role::Editor).await;
    let token = form_token(&page(&app, "/admin/articles/new", &first).await.1);

    let bad = Draft { title: "Tide Tables", slug: "Tide Tables!", markdown: "High water at noon.", author: editor_id };
    let (status, _, body) = post(&app, "/admin/articles/new", &first, &as_refs(&bad.fields(&token, "", "save"))).await;
    assert_eq!(status, 422);
    assert!(body.contains("lowercase letters, digits and single hyphens"), "{body}");
    assert!(body.contains("value=\"Tide Tables!\"") && body.contains("High water at noon."), "typed text kept");
    let taken = Draft { slug: "harbour-bridge-reopens", ..bad };
    let (status, _, body) =
        post(&app, "/admin/articles/new", &first, &as_refs(&taken.fields(&token, "", "save"))).await;
    assert_eq!(status, 422);
    assert!(body.contains("Another story already has the address /article/harbour-bridge-reopens"), "{body}");

    let draft = Draft { slug: "tide-tables", ..taken };
    let path = create(&app, &first, &draft).await;
    // Both open revision 1; the first saves a change, the second's save is refused.
    let opened = page(&app, &path, &second).await.1;
    assert_eq!(revision_field(&opened), "1");
    let changed = Draft { markdown: "High water at one.", ..draft };
    assert_eq!(submit(&app, &first, &path, &changed, "save").await.0, 303);
    let mine = Draft { markdown: "Low water at six, my version.", ..draft };
    let (status, _, refused) =
        post(&app, &path, &second, &as_refs(&mine.fields(&form_token(&opened), "1", "save"))).await;
    assert_eq!(status, 409);
    assert!(refused.contains("Imke Editor changed this story"), "{refused}");
    assert!(refused.contains("Low water at six, my version."), "what was typed is kept");
    assert_eq!(revision_field(&refused), "2", "saving again replaces theirs knowingly");
    let stored: String = sqlx::query_scalar("SELECT markdown FROM stories WHERE slug = 'tide-tables'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, "High water at one.", "the refused save wrote nothing");
    let again = post(&app, &path, &second, &as_refs(&mine.fields(&form_token(&refused), "2", "save"))).await;
    assert_eq!(again.0, 303);

    // Three revisions, newest first; restoring the first brings its text back as revision 4.
    let history = page(&app, &path, &first).await.1;
    assert!(history.contains("Restore revision 1") && history.contains("Restore revision 2"));
    assert!(!history.contains("Restore revision 3"), "the current one is not offered");
    let fields = [("token", form_token(&history)), ("revision", "3".to_owned()), ("number", "1".to_owned())];
    let (status, location, _) = post(&app, &format!("{path}/restore"), &first, &as_refs(&fields)).await;
    assert_eq!((status, location), (303, format!("{path}?done=restored")));
    let (markdown, revision): (String, i64) =
        sqlx::query_as("SELECT markdown, revision FROM stories WHERE slug = 'tide-tables'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((markdown.as_str(), revision), ("High water at noon.", 4));
}

#[tokio::test]
async fn a_scheduled_story_appears_on_time_and_not_before() {
    let app = desk_app().await;
    let (editor, editor_id) = writer(&app, "Imke Editor", Role::Editor).await;
    let draft = Draft { title: "Lantern Festival Tonight", slug: "", markdown: "Lanterns at dusk.", author: editor_id };
    let path = create(&app, &editor, &draft).await;
    let at = chrono::Utc::now() + chrono::TimeDelta::seconds(2);
    let editor_page = page(&app, &path, &editor).await.1;
    let mut fields = draft.fields(&form_token(&editor_page), &revision_field(&editor_page), "schedule");
    fields.push(("publish_at", at.format("%Y-%m-%dT%H:%M:%S").to_string()));
    let (status, location, body) = post(&app, &path, &editor, &as_refs(&fields)).await;
    assert_eq!((status, location), (303, format!("{path}?done=scheduled")), "{body}");
    let due = at.format("%Y-%m-%dT%H:%M:%S").to_string().parse::<chrono::NaiveDateTime>().unwrap().and_utc();

    let started = std::time::Instant::now();
    loop {
        let shown = app.get("/").await.1.contains("Lantern Festival Tonight");
        let now = chrono::Utc::now();
        if shown {
            assert!(now >= due, "shown at {now}, before {due}");
            assert!(now - due < chrono::TimeDelta::milliseconds(1500), "shown at {now}, due {due}: late");
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(8), "never published");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.get("/article/lantern-festival-tonight").await.0, 200);
    // The schedule's publishing is in the audit log too (written just after the story went out).
    let started = std::time::Instant::now();
    while app.count("audit_log WHERE action = 'published a scheduled story (on schedule)'").await == 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(3), "the release is not in the audit log");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_imported_storys_byline_stays_when_an_editor_changes_it() {
    let app = desk_app().await;
    let (editor, editor_id) = writer(&app, "Imke Editor", Role::Editor).await;
    let (id, author): (i64, String) = sqlx::query_as(
        "SELECT s.id, au.name FROM stories s JOIN authors au ON au.id = s.author_id \
         WHERE s.slug = 'harbour-bridge-reopens'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let path = format!("/admin/articles/{id}");
    let opened = page(&app, &path, &editor).await.1;
    assert!(
        opened.contains(&format!("<option value=\"kept\" selected>{author} (byline kept; no account)</option>")),
        "the writer without an account is the chosen author: {opened}"
    );
    let draft =
        Draft { title: "Harbour Bridge Reopens", slug: "harbour-bridge-reopens", markdown: "Open again.", author: 0 };
    let mut fields = draft.fields(&form_token(&opened), &revision_field(&opened), "save");
    fields[7].1 = "kept".to_owned();
    let (status, _, body) = post(&app, &path, &editor, &as_refs(&fields)).await;
    assert_eq!(status, 303, "{body}");
    let article = app.get("/article/harbour-bridge-reopens").await.1;
    assert!(article.contains("Open again.") && article.contains(&format!(">{author}</a>")), "{article}");

    // Restoring the imported text keeps the byline too, and choosing someone changes it.
    let history = page(&app, &path, &editor).await.1;
    let restore = [("token", form_token(&history)), ("revision", revision_field(&history)), ("number", "1".to_owned())];
    assert_eq!(post(&app, &format!("{path}/restore"), &editor, &as_refs(&restore)).await.0, 303);
    assert!(app.get("/article/harbour-bridge-reopens").await.1.contains(&format!(">{author}</a>")));
    let chosen = Draft { author: editor_id, ..draft };
    assert_eq!(submit(&app, &editor, &path, &chosen, "save").await.0, 303);
    assert!(app.get("/article/harbour-bridge-reopens").await.1.contains(">Imke Editor</a>"));

    // A new story has no byline to keep.
    let token = form_token(&page(&app, "/admin/articles/new", &editor).await.1);
    let fresh = Draft { title: "Kept Nothing", slug: "kept-nothing", markdown: "Text.", author: 0 };
    let mut fields = fresh.fields(&token, "", "save");
    fields[7].1 = "kept".to_owned();
    let (status, _, body) = post(&app, "/admin/articles/new", &editor, &as_refs(&fields)).await;
    assert_eq!(status, 422);
    assert!(body.contains("Choose the author among the staff who write stories."), "{body}");
}

#[tokio::test]
async fn deleting_asks_first_and_takes_the_comments_with_it() {
    let app = desk_app().await;
    let (editor, _) = writer(&app, "Imke Editor", Role::Editor).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM stories WHERE slug = 'harbour-bridge-reopens'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let comments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE article_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (status, confirm) = page(&app, &format!("/admin/articles/{id}/delete"), &editor).await;
    assert_eq!(status, 200);
    assert!(confirm.contains(&format!("Its {comments} comments are deleted with it.")), "{confirm}");
    assert_eq!(app.get("/article/harbour-bridge-reopens").await.0, 200, "asking deletes nothing");
    let token = form_token(&confirm);
    let (status, location, _) =
        post(&app, &format!("/admin/articles/{id}/delete"), &editor, &[("token", token.as_str())]).await;
    assert_eq!((status, location.as_str()), (303, "/admin/articles?done=deleted"));
    assert_eq!(app.get("/article/harbour-bridge-reopens").await.0, 404);
    assert_eq!(page(&app, &format!("/admin/articles/{id}"), &editor).await.0, 404);
}

/// A small picture in `format`, with an EXIF block naming a GPS position spliced into a JPEG.
fn picture(format: image::ImageFormat, width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::new_rgb8(width, height).write_to(&mut std::io::Cursor::new(&mut out), format).unwrap();
    if format == image::ImageFormat::Jpeg {
        // TIFF header, IFD0 with one entry pointing at a GPS IFD whose latitude reference is N.
        let mut tiff = b"II*\0\x08\0\0\0\x01\0\x25\x88\x04\0\x01\0\0\0\x1a\0\0\0\0\0\0\0".to_vec();
        tiff.extend_from_slice(b"\x01\0\x01\0\x02\0\x02\0\0\0N\0\0\0\0\0\0\0");
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let length = (app1.len() + 2) as u16;
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&length.to_be_bytes());
        segment.extend_from_slice(&app1);
        out.splice(2..2, segment);
    }
    out
}

/// Posts a picture as the editor's script does (only the picture, its alt text and the token).
async fn upload(app: &TestApp, cookie: &str, token: &str, name: &str, bytes: Vec<u8>) -> (u16, serde_json::Value) {
    let form = reqwest::multipart::Form::new()
        .text("token", token.to_owned())
        .text("alt", "Scaffolding on the quay wall")
        .part("picture", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    let response = app
        .client
        .post(format!("{}/admin/pictures", app.address))
        .header("Cookie", cookie)
        .header("Accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_str(&response.text().await.unwrap()).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn pictures_are_checked_by_content_stripped_of_metadata_and_served_for_good() {
    let app = desk_app().await;
    let (editor, _) = writer(&app, "Imke Editor", Role::Editor).await;
    let token = form_token(&page(&app, "/admin/articles/new", &editor).await.1);

    // The name does not matter, the content does.
    let (status, answer) = upload(&app, &editor, &token, "quay.jpg", picture(image::ImageFormat::Png, 1200, 600)).await;
    assert_eq!(status, 200, "{answer}");
    let markdown = answer["markdown"].as_str().unwrap();
    assert!(markdown.starts_with("![Scaffolding on the quay wall](/uploads/"), "{markdown}");
    assert!(markdown.ends_with("-1200x600.png)"), "a PNG stays a PNG: {markdown}");
    let src = markdown.split('(').nth(1).unwrap().trim_end_matches(')');
    let response = app.client.get(format!("{}{src}", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
    let narrower = src.replace("-1200x600.png", "-480w.png");
    assert_eq!(app.client.get(format!("{}{narrower}", app.address)).send().await.unwrap().status(), 200);

    let html = b"<!doctype html><script>alert(1)</script>".to_vec();
    let (status, answer) = upload(&app, &editor, &token, "innocent.png", html).await;
    assert_eq!(status, 415);
    assert_eq!(answer["error"], "That file is not a JPEG, PNG, WebP or GIF picture (whatever its name says).");

    let mut huge = picture(image::ImageFormat::Png, 10, 10);
    huge.resize(12 * 1024 * 1024, 0);
    let (status, answer) = upload(&app, &editor, &token, "huge.png", huge).await;
    assert_eq!(status, 413);
    assert_eq!(answer["error"], "That file is larger than 10 MB, the most a picture may be.");

    // A phone photo's position never reaches readers.
    let photo = picture(image::ImageFormat::Jpeg, 800, 600);
    assert!(photo.windows(6).any(|w| w == b"Exif\0\0"), "the upload carries EXIF");
    let (status, answer) = upload(&app, &editor, &token, "phone.jpeg", photo).await;
    assert_eq!(status, 200, "{answer}");
    let src = answer["markdown"].as_str().unwrap().split('(').nth(1).unwrap().trim_end_matches(')').to_owned();
    let served = app.client.get(format!("{}{src}", app.address)).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(image::guess_format(&served).unwrap(), image::ImageFormat::Jpeg);
    assert!(!served.windows(4).any(|w| w == b"Exif"), "no EXIF (and so no GPS) in what is served");

    // Strangers and forged forms get nothing stored.
    let png = picture(image::ImageFormat::Png, 20, 20);
    assert_eq!(upload(&app, "", &token, "a.png", png.clone()).await.0, 303, "not signed in: to the sign-in page");
    assert_eq!(upload(&app, &editor, "forged", "a.png", png).await.0, 403);
}

#[tokio::test]
async fn without_javascript_a_refused_picture_keeps_the_typed_story() {
    let app = desk_app().await;
    let (editor, editor_id) = writer(&app, "Imke Editor", Role::Editor).await;
    let token = form_token(&page(&app, "/admin/articles/new", &editor).await.1);
    let draft = Draft {
        title: "Tide Gauge Moves",
        slug: "",
        markdown: "The gauge moves forty metres east.",
        author: editor_id,
    };
    let story_form = |bytes: Vec<u8>, name: &str| {
        let mut form = reqwest::multipart::Form::new();
        for (key, value) in draft.fields(&token, "", "picture") {
            form = form.text(key, value);
        }
        form.text("alt", "The old gauge")
            .part("picture", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()))
    };
    let send = |form| {
        app.client
            .post(format!("{}/admin/pictures", app.address))
            .header("Cookie", editor.clone())
            .multipart(form)
            .send()
    };
    let mut huge = picture(image::ImageFormat::Png, 10, 10);
    huge.resize(12 * 1024 * 1024, 0);
    let response = send(story_form(huge, "gauge.png")).await.unwrap();
    assert_eq!(response.status(), 413);
    let page = response.text().await.unwrap();
    assert!(page.contains("That file is larger than 10 MB, the most a picture may be."), "{page}");
    assert!(page.contains("The gauge moves forty metres east.</textarea>"), "the text is kept");
    assert!(page.contains("value=\"Tide Gauge Moves\""));

    let response = send(story_form(picture(image::ImageFormat::Png, 600, 300), "gauge.png")).await.unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("The picture is at the end of the text. Save to keep it."), "{page}");
    assert!(page.contains("The gauge moves forty metres east.\n\n![The old gauge](/uploads/"), "{page}");
    assert_eq!(app.count("stories WHERE title = 'Tide Gauge Moves'").await, 0, "nothing is saved until Save");
}

#[tokio::test]
async fn export_then_import_into_an_empty_site_gives_the_same_pages() {
    // Both sites at one address, so that links and share buttons are the same.
    let empty_site = |c: &mut server::config::Config| {
        c.demo_content = None;
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.site_url = app::core::SiteUrl::parse("https://courier.example").ok();
    };
    let first = crate::helpers::spawn_app_with(empty_site).await;
    let (editor, editor_id) = writer(&first, "Imke Editor", Role::Editor).await;
    let token = form_token(&page(&first, "/admin/articles/new", &editor).await.1);
    let (_, answer) = upload(&first, &editor, &token, "wall.png", picture(image::ImageFormat::Png, 1000, 400)).await;
    let shown = answer["markdown"].as_str().unwrap().to_owned();
    let stories = [
        (
            "Quay Wall Repairs Begin",
            format!(
                "Crews start on the **quay wall** tonight.\n\n{shown}\n\n| shift | crew |\n|---|---|\n| night | 12 |"
            ),
        ),
        ("Quay Wall Lights Return", "The lamps along the *quay* are back, with \"new\" glass & brackets.".to_owned()),
        ("Ferry Timetable Changes", "Ferries run every twenty minutes from Monday.".to_owned()),
    ];
    for (title, markdown) in &stories {
        let draft = Draft { title, slug: "", markdown, author: editor_id };
        let path = create(&first, &editor, &draft).await;
        assert_eq!(submit(&first, &editor, &path, &draft, "publish").await.0, 303);
    }
    let draft = Draft { title: "Unfinished Notes", slug: "", markdown: "Not for readers yet.", author: editor_id };
    create(&first, &editor, &draft).await;

    let out = tempfile::tempdir().unwrap();
    let media = first.media_dir();
    let exported = server::publishing::export::export(&first.db, out.path(), &media).await.unwrap();
    assert_eq!(exported, server::publishing::export::Exported { stories: 4, pictures: 1 });

    let second = crate::helpers::spawn_app_with(empty_site).await;
    let files = server::publishing::article_files::markdown_files(&[out.path().to_owned()]).unwrap();
    let site_root = crate::helpers::test_config("sqlite://unused", None).leptos.site_root.to_string();
    let report = server::publishing::article_files::import(
        &second.db,
        &files,
        server::publishing::markdown::SiteFiles(Some(std::path::Path::new(&site_root))),
    )
    .await
    .unwrap();
    assert_eq!((report.created.len(), report.errors.len()), (4, 0), "{:?}", report.errors);
    let second_media = second.media_dir();
    assert_eq!(server::publishing::export::bring_pictures(&files, &second_media).unwrap(), 1);

    for slug in ["quay-wall-repairs-begin", "quay-wall-lights-return", "ferry-timetable-changes"] {
        let path = format!("/article/{slug}");
        let before = comparable_page(&first, &path).await;
        assert_eq!(before.0, 200);
        assert!(before.1.contains("srcset=\"/uploads/") || slug != "quay-wall-repairs-begin");
        assert_eq!(before, comparable_page(&second, &path).await, "{path} is the same page after the move");
    }
    assert_eq!(comparable_page(&first, "/").await, comparable_page(&second, "/").await, "the front page too");
    assert_eq!(second.get("/article/unfinished-notes").await.0, 404, "a draft stays a draft");
    let src = shown.split('(').nth(1).unwrap().trim_end_matches(')');
    assert_eq!(second.client.get(format!("{}{src}", second.address)).send().await.unwrap().status(), 200);
}

/// The page with only what differs per response (the script nonce) or per database (the row
/// id in the hydration data) masked.
async fn comparable_page(app: &TestApp, path: &str) -> (u16, String) {
    let (status, page) = app.get(path).await;
    // Ids differ between the two sites: in the page's script data and in the islands' props.
    let page = mask(&mask(&page, "nonce=\"", "\""), "data-props=\"", "\"");
    (status, mask(&page, "\\\"id\\\":", ","))
}

/// `page` with what follows each `start` up to the next `end` replaced by `…`.
fn mask(page: &str, start: &str, end: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(at) = rest.find(start) {
        out.push_str(&rest[..at + start.len()]);
        rest = &rest[at + start.len()..];
        let stop = rest.find(end).unwrap_or(rest.len());
        out.push('…');
        rest = &rest[stop..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn a_story_posted_after_the_session_ended_is_not_lost() {
    let app = desk_app().await;
    let (editor, editor_id) = writer(&app, "Imke Editor", Role::Editor).await;
    let draft =
        Draft { title: "Lock Gates Open", slug: "", markdown: "Typed while the <session> ran out.", author: editor_id };
    let path = create(&app, &editor, &draft).await;
    let opened = page(&app, &path, &editor).await.1;
    let fields = draft.fields(&form_token(&opened), &revision_field(&opened), "save");

    // Signed out meanwhile (another tab, or the idle limit): the text comes back on the page.
    let (status, _, kept) = post(&app, &path, "", &as_refs(&fields)).await;
    assert_eq!(status, 401);
    assert!(kept.contains("You were signed out"), "{kept}");
    assert!(kept.contains("value=\"Typed while the &lt;session&gt; ran out.\""), "{kept}");
    assert!(kept.contains("Typed while the &lt;session&gt; ran out.</textarea>"));

    // Signed in again, the kept form (the old session's token gone) opens the editor with it.
    let (again, _) = (sign_in(&app, "imke@courier.example", PASSWORD, "198.51.100.20").await, ());
    let cookie = session_cookie(&again);
    let back: Vec<(&str, &str)> = fields.iter().filter(|(k, _)| *k != "token").map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, editor_page) = post(&app, &path, &cookie, &back).await;
    assert_eq!(status, 409);
    assert!(editor_page.contains("nothing was saved. Your text is below: save it now."), "{editor_page}");
    assert!(editor_page.contains("Typed while the &lt;session&gt; ran out.</textarea>"));
}
