//! Stories in the desk (`/admin/articles`): the list, the editor, preview, save, publish,
//! schedule, unpublish, revisions and delete. Authors write and change drafts of their own;
//! editors and admins change every story and decide what is out. Every action is checked here,
//! on the server, whatever the page showed.

mod form;
mod pages;
pub mod pictures;

use std::net::SocketAddr;

use app::articles::store::{desk as store, NewArticle, Status, UpsertError};
use app::core::{paths, Slug, Timestamp};
use app::staff::audit::{self, Action};
use app::staff::session::SignedIn;
use app::staff::{store as staff_store, Role};
use axum::{
    extract::{ConnectInfo, Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Form,
};
use chrono::Utc;
use serde::Deserialize;

pub use form::{Byline, Intent, StoryForm};

use super::{server_error, Desk, Refused};
use crate::publishing::markdown::{self, SiteFiles};
use pages::{EditorView, Outcome};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    status: String,
    section: String,
    author: String,
    q: String,
    page: i64,
    done: String,
}

pub async fn list(State(desk): State<Desk>, headers: HeaderMap, Query(params): Query<ListParams>) -> Response {
    let session = match desk.member(&headers, Role::writes_stories).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let filter = store::Filter {
        status: Status::parse(&params.status),
        section: Slug::parse(&params.section),
        author: Slug::parse(&params.author),
        query: params.q.clone(),
        owner: (!session.staff.role.edits_stories()).then_some(session.staff.id),
        page: params.page.max(1),
    };
    let loaded = async {
        let (lines, total) = store::list(&desk.db, &filter).await?;
        let sections = app::articles::store::categories(&desk.db).await?;
        let bylines = store::bylines(&desk.db).await?;
        Ok::<_, sqlx::Error>((lines, total, sections, bylines))
    };
    match loaded.await {
        Ok((lines, total, sections, bylines)) => {
            let choices = pages::ListChoices { sections, bylines, params: &params };
            pages::list(desk.stylesheet, &session, &filter, &lines, total, &choices).into_response()
        }
        Err(error) => server_error(error),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditorParams {
    done: String,
}

pub async fn new_story(State(desk): State<Desk>, headers: HeaderMap) -> Response {
    let session = match desk.member(&headers, Role::writes_stories).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let form = StoryForm { author: session.staff.id.to_string(), ..StoryForm::default() };
    editor(&desk, &session, None, form, Outcome::default(), StatusCode::OK).await
}

pub async fn open(
    State(desk): State<Desk>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(params): Query<EditorParams>,
) -> Response {
    let (session, story) = match desk.story_for(&headers, None, id).await {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    let form = form_of(&story);
    let notice = match params.done.as_str() {
        "saved" => Some("Saved."),
        "published" => Some("Published: it is on the site now."),
        "scheduled" => Some("Scheduled: it will be published at the time below."),
        "unpublished" => Some("Unpublished: readers no longer see it. It is a draft again."),
        "restored" => Some("The earlier revision is back (and saved as the newest)."),
        _ => None,
    };
    let outcome = Outcome { notice, ..Outcome::default() };
    editor(&desk, &session, Some(story), form, outcome, StatusCode::OK).await
}

/// The editor's fields filled from the stored story.
fn form_of(story: &store::Story) -> StoryForm {
    StoryForm {
        revision: story.revision.to_string(),
        title: story.title.clone(),
        slug: story.slug.to_string(),
        summary: story.summary.clone(),
        section: story.section.clone(),
        tags: story.tags.clone(),
        // An imported story's writer has no account: the byline stays until someone is chosen.
        author: story.owner_id.map_or_else(|| form::KEPT_BYLINE.to_owned(), |id| id.to_string()),
        image: story.image.clone().unwrap_or_default(),
        markdown: story.markdown.clone().unwrap_or_else(|| story.body_html.clone()),
        publish_at: if story.status == Status::Scheduled {
            form::moment_field(story.published_at.time())
        } else {
            String::new()
        },
        ..StoryForm::default()
    }
}

async fn editor(
    desk: &Desk,
    session: &SignedIn,
    story: Option<store::Story>,
    form: StoryForm,
    outcome: Outcome,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let revisions = match &story {
            Some(story) => store::revisions(&desk.db, story.id).await?,
            None => Vec::new(),
        };
        let writers = staff_store::list(&desk.db).await?;
        Ok::<_, sqlx::Error>((
            revisions,
            writers,
            store::section_names(&desk.db).await?,
            store::tag_names(&desk.db).await?,
        ))
    };
    let (revisions, writers, sections, tags) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return server_error(error),
    };
    let writers = writers.into_iter().filter(|m| m.role.writes_stories() && m.disabled_at.is_none()).collect();
    let warnings = markdown::render(&form.markdown, desk.files()).warnings;
    let view =
        EditorView { session, story: story.as_ref(), form, outcome, revisions, writers, sections, tags, warnings };
    (status, pages::editor(desk.stylesheet, view)).into_response()
}

pub async fn create(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<StoryForm>,
) -> Response {
    let session = match desk.member(&headers, Role::writes_stories).await {
        Ok(session) => session,
        Err(Refused::NotSignedIn) => return signed_out(&desk, paths::DESK_NEW_STORY, &form),
        Err(refused) => return refused.into_response(),
    };
    if !form_is_current(&session, &form) {
        return earlier_session(&desk, &session, None, form).await;
    }
    submit(&desk, peer, &headers, session, None, form).await
}

/// The form carries this session's token (one from an earlier session is not a forgery when
/// the same person signed in again — but it is not acted on either).
fn form_is_current(session: &SignedIn, form: &StoryForm) -> bool {
    !form.token.is_empty() && form.token == session.form_token
}

fn signed_out(desk: &Desk, action: &str, form: &StoryForm) -> Response {
    (StatusCode::UNAUTHORIZED, pages::signed_out(desk.stylesheet, action, form)).into_response()
}

/// A story posted from a page of an earlier session: nothing is done, the editor comes back
/// with the text as posted.
async fn earlier_session(desk: &Desk, session: &SignedIn, story: Option<store::Story>, form: StoryForm) -> Response {
    let outcome = Outcome {
        stale: Some(
            "This form came from an earlier session, so nothing was saved. Your text is below: save it now.".to_owned(),
        ),
        ..Outcome::default()
    };
    editor(desk, session, story, form, outcome, StatusCode::CONFLICT).await
}

pub async fn change(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<StoryForm>,
) -> Response {
    if let Err(Refused::NotSignedIn) = desk.member(&headers, Role::writes_stories).await {
        return signed_out(&desk, &paths::desk_story(id), &form);
    }
    let (session, story) = match desk.story_for(&headers, None, id).await {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    if !form_is_current(&session, &form) {
        return earlier_session(&desk, &session, Some(story), form).await;
    }
    submit(&desk, peer, &headers, session, Some(story), form).await
}

/// Why a submitted story was not stored; the editor shows the typed text again with this.
enum NotSaved {
    Problems(Vec<form::Problem>),
    /// Someone saved since the editor was opened: the typed text stays, and the form now
    /// carries the newer revision, so saving again replaces theirs knowingly.
    Stale {
        by: Option<String>,
        at: Option<Timestamp>,
        revision: i64,
    },
    /// The role may not do this.
    NotForRole(&'static str),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for NotSaved {
    fn from(error: sqlx::Error) -> NotSaved {
        NotSaved::Database(error)
    }
}

impl From<UpsertError> for NotSaved {
    fn from(error: UpsertError) -> NotSaved {
        match error {
            UpsertError::Database(error) => NotSaved::Database(error),
            UpsertError::BadName(name) => NotSaved::Problems(vec![form::Problem {
                field: "section",
                message: format!("“{name}” cannot be made into a page address."),
            }]),
        }
    }
}

async fn submit(
    desk: &Desk,
    peer: SocketAddr,
    headers: &HeaderMap,
    session: SignedIn,
    story: Option<store::Story>,
    mut form: StoryForm,
) -> Response {
    let intent = Intent::parse(&form.action);
    if intent == Intent::Preview {
        let html = markdown::render(&form.markdown, desk.files()).html;
        let outcome = Outcome { preview: Some(html), ..Outcome::default() };
        return editor(desk, &session, story, form, outcome, StatusCode::OK).await;
    }
    if !session.staff.role.edits_stories() {
        // Authors write their own drafts; what is out (or set to go out) is the editors'.
        form.author = session.staff.id.to_string();
    }
    if intent == Intent::PagePreview {
        return page_preview(desk, &session, story, form).await;
    }
    let saved = save(desk, &session, story.as_ref(), &form, intent).await;
    let (id, action, done) = match saved {
        Ok(saved) => saved,
        Err(not_saved) => {
            let (status, outcome) = match not_saved {
                NotSaved::Problems(problems) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, Outcome { problems, ..Outcome::default() })
                }
                NotSaved::Stale { by, at, revision } => {
                    form.revision = revision.to_string();
                    let stale = format!(
                        "{} changed this story{} after you opened it. Your text is below and nothing of it was saved: \
                         compare it with theirs (open the story in another tab), then save again to replace their \
                         version with yours.",
                        by.unwrap_or_else(|| "Someone".to_owned()),
                        at.map(|at| format!(" at {} UTC", pages::when(at))).unwrap_or_default(),
                    );
                    (StatusCode::CONFLICT, Outcome { stale: Some(stale), ..Outcome::default() })
                }
                NotSaved::NotForRole(why) => {
                    (StatusCode::FORBIDDEN, Outcome { stale: Some(why.to_owned()), ..Outcome::default() })
                }
                NotSaved::Database(error) => return server_error(error),
            };
            return editor(desk, &session, story, form, outcome, status).await;
        }
    };
    let detail = format!("#{id} {}", form.title.trim());
    if let Err(error) =
        audit::record(&desk.db, Some(session.staff.id), action, &detail, &desk.ip_hash(headers, peer)).await
    {
        return server_error(error);
    }
    Redirect::to(&format!("{}?done={done}", paths::desk_story(id))).into_response()
}

/// The article as readers will see it, from what the editor holds now (checked as a save
/// would check it; nothing is stored). Rendered by the readers' own component.
async fn page_preview(desk: &Desk, session: &SignedIn, story: Option<store::Story>, form: StoryForm) -> Response {
    let now = Utc::now();
    let problems = |problems| Outcome { problems, ..Outcome::default() };
    let input = match form.parse(Intent::PagePreview, now) {
        Ok(input) => input,
        Err(found) => {
            return editor(desk, session, story, form, problems(found), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    };
    let author = match byline(desk, story.as_ref(), input.owner).await {
        Ok(Some((_, author))) => author,
        Ok(None) => {
            let found = choose_author();
            return editor(desk, session, story, form, problems(found), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(error) => return server_error(error),
    };
    let section = Slug::from_name(&input.section).expect("parse checked that the section makes a slug");
    // The date readers will see: a published story keeps its own; anything else goes out later.
    let published = match &story {
        Some(s) if s.status == Status::Published => s.published_at.time(),
        _ => input.publish_at.unwrap_or(now),
    };
    let article = app::articles::Article {
        id: story.as_ref().map_or(0, |s| s.id),
        card: app::articles::ArticleCard {
            slug: input.slug,
            title: input.title,
            summary: input.summary,
            category: app::articles::CategoryLink { slug: section, name: input.section },
            author_slug: Slug::from_name(&author).unwrap_or_else(|| Slug::parse("staff").expect("a slug")),
            author,
            published: published.into(),
        },
        body_html: markdown::render(&input.markdown, desk.files()).html,
        // In the article page's order (by name, as stored text compares).
        tags: {
            let mut tags: Vec<_> = input
                .tags
                .into_iter()
                .filter_map(|name| Some(app::articles::TagLink { slug: Slug::from_name(&name)?, name }))
                .collect();
            tags.sort_by(|a, b| a.name.cmp(&b.name));
            tags
        },
        updated: now.into(),
        image: input.image,
    };
    pages::page_preview(desk.stylesheet, article).into_response()
}

/// The story's owner (none for a kept byline) and the name it carries: a staff account who
/// writes stories, or the byline of an opened story that has no account behind it.
async fn byline(
    desk: &Desk,
    opened: Option<&store::Story>,
    owner: Byline,
) -> sqlx::Result<Option<(Option<i64>, String)>> {
    Ok(match owner {
        Byline::Staff(id) => staff_store::by_id(&desk.db, id)
            .await?
            .filter(|m| m.role.writes_stories() && m.disabled_at.is_none())
            .map(|m| (Some(m.id), m.name)),
        Byline::Kept => opened.filter(|s| s.owner_id.is_none()).map(|s| (None, s.author.clone())),
    })
}

/// Why a byline was not found.
fn choose_author() -> Vec<form::Problem> {
    vec![form::Problem { field: "author", message: "Choose the author among the staff who write stories.".to_owned() }]
}

/// Checks and stores one submitted story in one write transaction. Returns its id, what to
/// write to the audit log and the notice to show.
async fn save(
    desk: &Desk,
    session: &SignedIn,
    opened: Option<&store::Story>,
    form: &StoryForm,
    intent: Intent,
) -> Result<(i64, Action, &'static str), NotSaved> {
    let editor = session.staff.role.edits_stories();
    if !editor && matches!(intent, Intent::Publish | Intent::Schedule | Intent::Unpublish) {
        return Err(NotSaved::NotForRole(
            "Authors write drafts; an editor publishes, schedules and unpublishes. Your text is below, not saved: \
             save it as a draft and tell an editor.",
        ));
    }
    let now = Utc::now();
    let input = form.parse(intent, now).map_err(NotSaved::Problems)?;
    let (owner_id, byline) =
        byline(desk, opened, input.owner).await?.ok_or_else(|| NotSaved::Problems(choose_author()))?;
    let rendered = markdown::render(&input.markdown, desk.files());

    let mut tx = desk.db.write().await?;
    let stored = match opened {
        Some(opened) => {
            Some(store::story_in(&mut tx, opened.id).await?.ok_or(NotSaved::Problems(vec![form::Problem {
                field: "title",
                message: "This story was deleted meanwhile. Copy your text before leaving this page.".to_owned(),
            }]))?)
        }
        None => None,
    };
    if let Some(stored) = &stored {
        if stored.revision != form.expected_revision() {
            return Err(NotSaved::Stale {
                by: stored.changed_by.clone(),
                at: stored.changed_at,
                revision: stored.revision,
            });
        }
        if !editor && stored.status != Status::Draft {
            return Err(NotSaved::NotForRole(
                "This story is published or scheduled, so only an editor changes it now. Your text is below, not saved.",
            ));
        }
    }
    if let Some(holder) = store::slug_taken_by(&mut tx, &input.slug).await? {
        if stored.as_ref().is_none_or(|s| s.id != holder) {
            return Err(NotSaved::Problems(vec![form::Problem {
                field: "slug",
                message: format!(
                    "Another story already has the address {}: choose another.",
                    paths::article(&input.slug)
                ),
            }]));
        }
    }
    let was = stored.as_ref().map(|s| s.status);
    let status = match intent {
        Intent::Publish => Status::Published,
        Intent::Schedule => Status::Scheduled,
        Intent::Unpublish => Status::Draft,
        Intent::Save | Intent::Preview | Intent::PagePreview => was.unwrap_or(Status::Draft),
    };
    let mut tags = input.tags.clone();
    tags.sort_by_key(|t| t.to_lowercase());
    let same_text = stored.as_ref().is_some_and(|s| {
        s.title == input.title
            && s.summary == input.summary
            && s.body_html == rendered.html
            && s.section == input.section
            && s.author == byline
            && s.image == input.image
            && s.tags == tags.join(", ")
    });
    let now_stamp = Timestamp::from(now);
    let (published_at, updated_at) = match (status, &stored) {
        (Status::Scheduled, _) => {
            let at = input.publish_at.unwrap_or(now);
            (at, at)
        }
        // An edit to what is out keeps its date and says when it changed (only if it did).
        (Status::Published, Some(s)) if s.status == Status::Published => {
            (s.published_at.time(), if same_text { s.updated_at.time() } else { now_stamp.time() })
        }
        (Status::Published, _) => (now_stamp.time(), now_stamp.time()),
        (Status::Draft, Some(s)) => (s.published_at.time(), s.updated_at.time()),
        (Status::Draft, None) => (now_stamp.time(), now_stamp.time()),
    };
    if let Some(s) = &stored {
        if s.slug != input.slug {
            store::rename(&mut tx, s.id, &input.slug).await?;
        }
    }
    let article = NewArticle {
        slug: input.slug.clone(),
        title: input.title.clone(),
        summary: input.summary.clone(),
        body_html: rendered.html,
        markdown: input.markdown.clone(),
        author: byline.clone(),
        category: input.section.clone(),
        tags: input.tags.clone(),
        published_at,
        updated_at,
        image: input.image.clone(),
    };
    let (id, _) = app::publishing::save(&mut tx, &article, status).await?;
    let text = store::RevisionText {
        title: input.title,
        slug: input.slug.to_string(),
        summary: input.summary,
        section: input.section,
        author: byline,
        tags: input.tags.join(", "),
        image: input.image,
        markdown: input.markdown,
    };
    // Every save is a revision, even one that changed nothing readers see (it may change the owner).
    store::record_save(&mut tx, id, owner_id, session.staff.id, now_stamp, &text).await?;
    tx.commit().await?;
    Ok(match (was, status) {
        // Taking a scheduled story off the schedule is unpublishing it before it went out.
        (Some(Status::Published | Status::Scheduled), Status::Draft) => (id, Action::StoryUnpublished, "unpublished"),
        (_, Status::Scheduled) => (id, Action::StoryScheduled, "scheduled"),
        (was, Status::Published) if was != Some(Status::Published) => (id, Action::StoryPublished, "published"),
        _ => (id, Action::StorySaved, "saved"),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RestoreForm {
    token: String,
    /// The revision the page showed as current.
    revision: String,
    /// The revision to bring back.
    number: i64,
}

/// Brings an earlier revision back by saving its text as the newest (the status stays).
pub async fn restore(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(posted): Form<RestoreForm>,
) -> Response {
    let (session, story) = match desk.story_for(&headers, Some(&posted.token), id).await {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    let text = match store::revision(&desk.db, id, posted.number).await {
        Ok(Some(text)) => text,
        Ok(None) => return (StatusCode::NOT_FOUND, "That revision does not exist.").into_response(),
        Err(error) => return server_error(error),
    };
    let form = StoryForm {
        token: posted.token,
        revision: posted.revision,
        title: text.title,
        slug: text.slug,
        summary: text.summary,
        section: text.section,
        tags: text.tags,
        author: form_of(&story).author,
        image: text.image.unwrap_or_default(),
        markdown: text.markdown,
        publish_at: form_of(&story).publish_at,
        action: if story.status == Status::Scheduled { "schedule".into() } else { "save".into() },
        alt: String::new(),
    };
    let response = submit(&desk, peer, &headers, session.clone(), Some(story), form).await;
    if response.status() != StatusCode::SEE_OTHER {
        return response;
    }
    let detail = format!("#{id} back to revision {}", posted.number);
    let ip_hash = desk.ip_hash(&headers, peer);
    if let Err(error) = audit::record(&desk.db, Some(session.staff.id), Action::StoryRestored, &detail, &ip_hash).await
    {
        return server_error(error);
    }
    Redirect::to(&format!("{}?done=restored", paths::desk_story(id))).into_response()
}

pub async fn delete_page(State(desk): State<Desk>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let (session, story) = match desk.story_for(&headers, None, id).await {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    if let Some(refused) = may_delete(&desk, &session, &story) {
        return refused;
    }
    pages::delete(desk.stylesheet, &session, &story).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    token: String,
}

pub async fn delete(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(posted): Form<DeleteForm>,
) -> Response {
    let (session, story) = match desk.story_for(&headers, Some(&posted.token), id).await {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    if let Some(refused) = may_delete(&desk, &session, &story) {
        return refused;
    }
    let deleted = async {
        let mut tx = desk.db.write().await?;
        store::delete(&mut tx, id).await?;
        tx.commit().await?;
        let detail = format!("#{id} {} ({} comments with it)", story.title, story.comments);
        audit::record(&desk.db, Some(session.staff.id), Action::StoryDeleted, &detail, &desk.ip_hash(&headers, peer))
            .await
    };
    match deleted.await {
        Ok(()) => Redirect::to(&format!("{}?done=deleted", paths::DESK_STORIES)).into_response(),
        Err(error) => server_error(error),
    }
}

/// Authors delete only drafts of their own (`story_for` checked the owner).
fn may_delete(desk: &Desk, session: &SignedIn, story: &store::Story) -> Option<Response> {
    (!session.staff.role.edits_stories() && story.status != Status::Draft).then(|| {
        (
            StatusCode::FORBIDDEN,
            pages::not_yours(desk.stylesheet, session, "Only an editor deletes a story that is out."),
        )
            .into_response()
    })
}

impl Desk {
    fn files(&self) -> SiteFiles<'_> {
        SiteFiles(Some(&self.site_root))
    }

    /// The signed-in writer and the story, when their role may open it: editors and admins any,
    /// authors their own. With a `token`, the request is a post and must carry the session's.
    async fn story_for(
        &self,
        headers: &HeaderMap,
        token: Option<&str>,
        id: i64,
    ) -> Result<(SignedIn, store::Story), Box<Response>> {
        let session = match token {
            Some(token) => self.member_posting(headers, token, Role::writes_stories).await,
            None => self.member(headers, Role::writes_stories).await,
        }
        .map_err(|refused| Box::new(refused.into_response()))?;
        let story = store::story(&self.db, id).await.map_err(|e| Box::new(Refused::from(e).into_response()))?;
        let Some(story) = story else {
            return Err(Box::new((StatusCode::NOT_FOUND, pages::missing(self.stylesheet, &session)).into_response()));
        };
        if !session.staff.role.edits_stories() && story.owner_id != Some(session.staff.id) {
            let page = pages::not_yours(self.stylesheet, &session, "This story is not yours: authors open their own.");
            return Err(Box::new((StatusCode::FORBIDDEN, page).into_response()));
        }
        Ok((session, story))
    }
}
