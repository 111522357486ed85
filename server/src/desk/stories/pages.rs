//! The story pages of the desk: the list and the editor, rendered on the server. What staff
//! typed is shown as text (Leptos escapes it); only the preview is HTML, and that is the
//! sanitised output of the same Markdown path readers get.

use app::articles::store::desk::{Filter, RevisionLine, Story, StoryLine, PER_PAGE};
use app::articles::store::Status;
use app::articles::CategoryLink;
use app::core::form::textarea_text;
use app::core::pagination::{page_count, Pagination};
use app::core::{paths, Slug, Timestamp};
use app::staff::session::SignedIn;
use app::staff::store::StaffMember;
use axum::response::Html;
use leptos::prelude::*;

use super::form::{Problem, StoryForm, KEPT_BYLINE};
use super::ListParams;
use crate::desk::pages::{document, document_in, signed_in_as};

/// A moment as the desk shows it: UTC, to the minute.
pub fn when(at: Timestamp) -> String {
    at.time().format("%Y-%m-%d %H:%M").to_string()
}

pub struct ListChoices<'a> {
    pub sections: Vec<CategoryLink>,
    pub bylines: Vec<(Slug, String)>,
    pub params: &'a ListParams,
}

fn options(all: Vec<(String, String)>, chosen: &str, any: &'static str) -> Vec<AnyView> {
    std::iter::once(view! { <option value="">{any}</option> }.into_any())
        .chain(all.into_iter().map(|(value, label)| {
            let selected = value == chosen;
            view! { <option value=value selected=selected>{label}</option> }.into_any()
        }))
        .collect()
}

fn line_row(line: &StoryLine) -> impl IntoView {
    let href = paths::desk_story(line.id);
    let changed = match (&line.changed_at, &line.changed_by) {
        (Some(at), Some(by)) => format!("{} by {by}", when(*at)),
        (Some(at), None) => when(*at),
        _ => "imported".to_owned(),
    };
    let status = match line.status {
        Status::Scheduled => format!("scheduled for {}", when(line.published_at)),
        status => status.as_str().to_owned(),
    };
    view! {
        <tr>
            <td><a href=href>{line.title.clone()}</a></td>
            <td>{status}</td>
            <td>{line.section.clone()}</td>
            <td>{line.author.clone()}</td>
            <td>{changed}</td>
        </tr>
    }
}

pub fn list(
    stylesheet: &'static str,
    session: &SignedIn,
    filter: &Filter,
    lines: &[StoryLine],
    total: i64,
    choices: &ListChoices,
) -> Html<String> {
    let params = choices.params;
    let statuses = Status::ALL.iter().map(|s| (s.as_str().to_owned(), s.as_str().to_owned())).collect();
    let sections = choices.sections.iter().map(|c| (c.slug.to_string(), c.name.clone())).collect();
    let bylines = choices.bylines.iter().map(|(slug, name)| (slug.to_string(), name.clone())).collect();
    let notice = (params.done == "deleted").then_some("The story is deleted.");
    let pages = page_count(total, PER_PAGE);
    let page_href = |page: i64| {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("status", &params.status)
            .append_pair("section", &params.section)
            .append_pair("author", &params.author)
            .append_pair("q", &params.q)
            .append_pair("page", &page.to_string())
            .finish();
        format!("{}?{query}", paths::DESK_STORIES)
    };
    let page = filter.page;
    let prev = (page > 1).then(|| page_href(page - 1));
    let next = (page < pages).then(|| page_href(page + 1));
    let rows = lines.iter().map(line_row).collect::<Vec<_>>();
    let own = (!session.staff.role.edits_stories()).then_some(" Authors see their own stories.");
    document(
        stylesheet,
        "Stories",
        view! {
            <h1>"Stories"</h1>
            {signed_in_as(session)}
            <p><a href=paths::DESK>"Back to the desk"</a>" · "<a href=paths::DESK_NEW_STORY>"Write a new story"</a></p>
            {notice.map(|n| view! { <p role="status" class="form-notice">{n}</p> })}
            <form method="get" action=paths::DESK_STORIES class="queue-filter">
                <label for="q">"Title"</label>
                <input id="q" name="q" type="search" value=params.q.clone()/>
                <label for="status">"Status"</label>
                <select id="status" name="status">{options(statuses, &params.status, "any")}</select>
                <label for="section">"Section"</label>
                <select id="section" name="section">{options(sections, &params.section, "any")}</select>
                <label for="author">"Author"</label>
                <select id="author" name="author">{options(bylines, &params.author, "anyone")}</select>
                <button type="submit">"Show"</button>
            </form>
            <table class="desk-table">
                <caption>{format!("{total} stories, the most recently changed first.")}{own}</caption>
                <thead><tr><th scope="col">"Title"</th><th scope="col">"Status"</th><th scope="col">"Section"</th><th scope="col">"Author"</th><th scope="col">"Last change (UTC)"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <Pagination page=page pages=pages prev_href=prev next_href=next prev_label="← Newer" next_label="Older →"/>
        },
    )
}

/// What happened on the way to this editor page.
#[derive(Default)]
pub struct Outcome {
    pub notice: Option<&'static str>,
    pub problems: Vec<Problem>,
    /// A refusal of the whole save (changed meanwhile, or not for the role).
    pub stale: Option<String>,
    /// The rendered body, when "Preview" was pressed.
    pub preview: Option<String>,
}

pub struct EditorView<'a> {
    pub session: &'a SignedIn,
    pub story: Option<&'a Story>,
    pub form: StoryForm,
    pub outcome: Outcome,
    pub revisions: Vec<RevisionLine>,
    /// Staff who may be a story's author.
    pub writers: Vec<StaffMember>,
    pub sections: Vec<String>,
    pub tags: Vec<String>,
    /// What an editor should fix but need not (an image without alt text).
    pub warnings: Vec<String>,
}

fn field_error(problems: &[Problem], field: &'static str) -> Option<impl IntoView> {
    problems.iter().find(|p| p.field == field).map(|p| {
        let id = format!("{field}-problem");
        view! { <p class="form-problem" id=id>{p.message.clone()}</p> }
    })
}

fn described_by(problems: &[Problem], field: &'static str, hint: Option<&'static str>) -> Option<String> {
    let problem = problems.iter().any(|p| p.field == field).then(|| format!("{field}-problem"));
    let ids: Vec<String> = problem.into_iter().chain(hint.map(str::to_owned)).collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn status_line(story: Option<&Story>) -> String {
    let Some(story) = story else { return "A new story: not saved yet.".to_owned() };
    let state = match story.status {
        Status::Draft => "Draft: readers do not see it.".to_owned(),
        Status::Scheduled => format!("Scheduled for {} UTC.", when(story.published_at)),
        Status::Published => format!("Published {} UTC.", when(story.published_at)),
    };
    let saved = match (&story.changed_by, story.changed_at) {
        (Some(by), Some(at)) => format!(" Revision {}, saved by {by} at {} UTC.", story.revision, when(at)),
        _ => " Imported; not yet saved in the desk.".to_owned(),
    };
    format!("{state}{saved}")
}

pub fn editor(stylesheet: &'static str, page: EditorView) -> Html<String> {
    let EditorView { session, story, form, outcome, revisions, writers, sections, tags, warnings } = page;
    let editor_role = session.staff.role.edits_stories();
    let action = story.map_or_else(|| paths::DESK_NEW_STORY.to_owned(), |s| paths::desk_story(s.id));
    let status = story.map(|s| s.status);
    let title = match story {
        Some(s) => format!("Edit: {}", s.title),
        None => "New story".to_owned(),
    };
    let problems = outcome.problems;
    let summary_list = (!problems.is_empty()).then(|| {
        let items = problems
            .iter()
            .map(|p| {
                let href = format!("#{}", p.field);
                view! { <li><a href=href>{p.message.clone()}</a></li> }
            })
            .collect::<Vec<_>>();
        view! {
            <div class="form-problem" role="alert" id="story-problems">
                <p>"The story was not saved:"</p>
                <ul>{items}</ul>
            </div>
        }
    });
    let warnings = (!warnings.is_empty()).then(|| {
        let items = warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect::<Vec<_>>();
        view! { <div class="form-warnings" id="story-warnings"><p>"Worth fixing:"</p><ul>{items}</ul></div> }
    });
    let author_field = if editor_role {
        let chosen = form.author.clone();
        // An imported story's byline (no account behind it) is kept unless someone is chosen.
        let kept = story.filter(|s| s.owner_id.is_none()).map(|s| {
            let selected = chosen == KEPT_BYLINE;
            view! { <option value=KEPT_BYLINE selected=selected>{format!("{} (byline kept; no account)", s.author)}</option> }
        });
        let choices = writers
            .iter()
            .map(|m| {
                let (value, selected) = (m.id.to_string(), m.id.to_string() == chosen);
                view! { <option value=value selected=selected>{format!("{} ({})", m.name, m.role)}</option> }
            })
            .collect::<Vec<_>>();
        view! {
            <div>
                <label for="author">"Author"</label>
                <select id="author" name="author" aria-describedby=described_by(&problems, "author", None)>{kept}{choices}</select>
                {field_error(&problems, "author")}
            </div>
        }
        .into_any()
    } else {
        let name = session.staff.name.clone();
        view! {
            <div>
                <p class="field-hint">"Author: " <strong>{name}</strong></p>
                <input type="hidden" name="author" value=session.staff.id.to_string()/>
            </div>
        }
        .into_any()
    };
    let section_options = sections.into_iter().map(|name| view! { <option value=name></option> }).collect::<Vec<_>>();
    let known_tags = (!tags.is_empty()).then(|| format!("Tags in use: {}.", tags.join(", ")));
    let preview = outcome.preview.map(|html| {
        let (title, summary) = (form.title.clone(), form.summary.clone());
        view! {
            <section class="story-preview" aria-labelledby="preview-heading" id="preview">
                <h2 id="preview-heading">"Preview (not public)"</h2>
                <article class="article">
                    <header class="article-header">
                        <h1 class="article-title">{title}</h1>
                        <p class="article-summary">{summary}</p>
                    </header>
                    <div class="article-body" inner_html=html></div>
                </article>
            </section>
        }
    });
    let buttons = {
        let save_label = match status {
            Some(Status::Published) => "Update the published story",
            Some(Status::Scheduled) => "Save (stays scheduled)",
            _ => "Save draft",
        };
        let publish = (editor_role && status != Some(Status::Published))
            .then(|| view! { <button type="submit" name="action" value="publish">"Publish now"</button> });
        let schedule =
            editor_role.then(|| view! { <button type="submit" name="action" value="schedule">"Schedule"</button> });
        let unpublish = (editor_role && matches!(status, Some(Status::Published | Status::Scheduled)))
            .then(|| view! { <button type="submit" name="action" value="unpublish">"Unpublish"</button> });
        let may_save = editor_role || matches!(status, None | Some(Status::Draft));
        view! {
            <div class="story-buttons">
                <button type="submit" name="action" value="preview">"Preview"</button>
                <button type="submit" name="action" value="page-preview" formtarget="_blank">"Preview the page"</button>
                {may_save.then(|| view! { <button type="submit" name="action" value="save">{save_label}</button> })}
                {publish}
                {schedule}
                {unpublish}
            </div>
        }
    };
    let schedule_field = editor_role.then(|| {
        view! {
            <div>
                <label for="publish_at">"Publish at (UTC), for “Schedule”"</label>
                <input id="publish_at" name="publish_at" type="datetime-local" step="1" value=form.publish_at.clone()
                    aria-describedby=described_by(&problems, "publish_at", None)/>
                {field_error(&problems, "publish_at")}
            </div>
        }
    });
    // Last in the form: Enter in a field presses the first button (a save, not an upload), and
    // the picture arrives after every typed field, so a refused picture never loses text.
    let picture_field = view! {
        <fieldset class="story-picture" id="story-picture">
            <legend>"Add a picture"</legend>
            {story.map(|s| view! { <input type="hidden" name="story" value=s.id.to_string()/> })}
            <label for="alt">"What it shows (alt text, read out to readers who cannot see it)"</label>
            <input id="alt" name="alt" type="text" value=form.alt.clone()/>
            <label for="picture">"Picture: JPEG, PNG, WebP or GIF, at most 10 MB"</label>
            <input id="picture" name="picture" type="file" accept="image/jpeg,image/png,image/webp,image/gif"
                aria-describedby=described_by(&problems, "picture", None)/>
            {field_error(&problems, "picture")}
            <button type="submit" name="action" value="picture" formaction=paths::DESK_PICTURES
                formenctype="multipart/form-data" formnovalidate=true>"Add the picture to the text"</button>
        </fieldset>
    };
    let token = session.form_token.clone();
    let history = story.map(|s| revision_list(s, &revisions, &token));
    let links = story.map(|s| {
        let public = (s.status == Status::Published).then(|| {
            let href = paths::article(&s.slug);
            view! { " · "<a href=href>"See it on the site"</a> }
        });
        let delete = (editor_role || s.status == Status::Draft).then(|| {
            let href = format!("{}/delete", paths::desk_story(s.id));
            view! { " · "<a href=href>"Delete…"</a> }
        });
        view! { {public} {delete} }
    });
    let suggested = form
        .suggested_slug()
        .map(|s| format!("Leave empty to use “{s}” (from the title)."))
        .unwrap_or_else(|| "Leave empty to make it from the title.".to_owned());
    document_in(
        "desk-page story-editor",
        stylesheet,
        &title,
        view! {
            <h1>{title.clone()}</h1>
            {signed_in_as(session)}
            <p><a href=paths::DESK_STORIES>"All stories"</a>{links}</p>
            <p id="story-status">{status_line(story)}</p>
            {outcome.notice.map(|n| view! { <p role="status" class="form-notice" id="story-notice">{n}</p> })}
            {outcome.stale.map(|s| view! { <p class="form-problem" role="alert" id="story-refused">{s}</p> })}
            {summary_list}
            {warnings}
            <form method="post" action=action class="desk-form" id="story-form">
                <input type="hidden" name="token" value=token.clone()/>
                <input type="hidden" name="revision" value=form.revision.clone()/>
                <label for="title">"Title"</label>
                <input id="title" name="title" type="text" required value=form.title.clone()
                    aria-describedby=described_by(&problems, "title", None)/>
                {field_error(&problems, "title")}
                <div class="story-fields">
                    <div>
                        <label for="slug">"Address (slug)"</label>
                        <input id="slug" name="slug" type="text" value=form.slug.clone()
                            aria-describedby=described_by(&problems, "slug", Some("slug-hint"))/>
                        <p class="field-hint" id="slug-hint">{suggested}</p>
                        {field_error(&problems, "slug")}
                    </div>
                    <div>
                        <label for="section">"Section"</label>
                        <input id="section" name="section" type="text" list="sections" required value=form.section.clone()
                            aria-describedby=described_by(&problems, "section", None)/>
                        <datalist id="sections">{section_options}</datalist>
                        {field_error(&problems, "section")}
                    </div>
                    <div>
                        <label for="tags">"Tags, separated by commas"</label>
                        <input id="tags" name="tags" type="text" value=form.tags.clone()
                            aria-describedby=described_by(&problems, "tags", Some("tags-hint"))/>
                        <p class="field-hint" id="tags-hint">{known_tags.unwrap_or_else(|| "New tags are created.".to_owned())}</p>
                        {field_error(&problems, "tags")}
                    </div>
                    {author_field}
                    <div>
                        <label for="image">"Social image (site path or address)"</label>
                        <input id="image" name="image" type="text" value=form.image.clone()
                            aria-describedby=described_by(&problems, "image", None)/>
                        {field_error(&problems, "image")}
                    </div>
                    {schedule_field}
                </div>
                <label for="summary">"Summary"</label>
                <textarea id="summary" name="summary" rows="3" required
                    aria-describedby=described_by(&problems, "summary", None)>{textarea_text(form.summary.clone())}</textarea>
                {field_error(&problems, "summary")}
                <label for="markdown">"Text (Markdown)"</label>
                <textarea id="markdown" name="markdown" rows="24" required
                    aria-describedby=described_by(&problems, "markdown", None)>{textarea_text(form.markdown.clone())}</textarea>
                {field_error(&problems, "markdown")}
                {buttons}
                {picture_field}
            </form>
            {preview}
            {history}
        },
    )
}

fn revision_list(story: &Story, revisions: &[RevisionLine], token: &str) -> impl IntoView {
    let action = format!("{}/restore", paths::desk_story(story.id));
    let current = story.revision;
    let rows = revisions
        .iter()
        .map(|r| {
            let who = r.saved_by.clone().unwrap_or_else(|| "—".to_owned());
            let restore = (r.revision != current).then(|| {
                view! {
                    <form method="post" action=action.clone() class="desk-inline-form">
                        <input type="hidden" name="token" value=token.to_owned()/>
                        <input type="hidden" name="revision" value=current.to_string()/>
                        <input type="hidden" name="number" value=r.revision.to_string()/>
                        <button type="submit" aria-label=format!("Restore revision {}", r.revision)>"Restore"</button>
                    </form>
                }
            });
            view! {
                <tr>
                    <td>{r.revision}</td>
                    <td>{when(r.saved_at)}</td>
                    <td>{who}</td>
                    <td>{r.title.clone()}</td>
                    <td>{restore}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    (!revisions.is_empty()).then(|| {
        view! {
            <section aria-labelledby="revisions-heading">
                <h2 id="revisions-heading">"Revisions"</h2>
                <table class="desk-table" id="revisions">
                    <thead><tr><th scope="col">"#"</th><th scope="col">"Saved (UTC)"</th><th scope="col">"By"</th><th scope="col">"Title"</th><th scope="col"><span class="visually-hidden">"Action"</span></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        }
    })
}

pub fn delete(stylesheet: &'static str, session: &SignedIn, story: &Story) -> Html<String> {
    let action = format!("{}/delete", paths::desk_story(story.id));
    let back = paths::desk_story(story.id);
    let comments = match story.comments {
        0 => "It has no comments.".to_owned(),
        1 => "Its 1 comment is deleted with it.".to_owned(),
        n => format!("Its {n} comments are deleted with it."),
    };
    let title = story.title.clone();
    document(
        stylesheet,
        "Delete a story",
        view! {
            <h1>"Delete “"{title}"”?"</h1>
            {signed_in_as(session)}
            <p>{comments}" This cannot be undone. To take it off the site but keep it, unpublish it instead."</p>
            <form method="post" action=action class="desk-inline-form">
                <input type="hidden" name="token" value=session.form_token.clone()/>
                <button type="submit">"Delete the story"</button>
            </form>
            <p><a href=back>"No, back to the story"</a></p>
        },
    )
}

pub fn missing(stylesheet: &'static str, session: &SignedIn) -> Html<String> {
    document(
        stylesheet,
        "No such story",
        view! {
            <h1>"No such story"</h1>
            {signed_in_as(session)}
            <p>"It may have been deleted."</p>
            <p><a href=paths::DESK_STORIES>"All stories"</a></p>
        },
    )
}

pub fn not_yours(stylesheet: &'static str, session: &SignedIn, why: &'static str) -> Html<String> {
    document(
        stylesheet,
        "Not for your role",
        view! {
            <h1>"Not for your role"</h1>
            {signed_in_as(session)}
            <p>{why}</p>
            <p><a href=paths::DESK_STORIES>"All stories"</a></p>
        },
    )
}

/// After the session ended: the typed story is on this page (nothing is stored for a stranger),
/// to be taken back to the editor once signed in again.
pub fn signed_out(stylesheet: &'static str, action: &str, form: &StoryForm) -> Html<String> {
    let hidden = form
        .fields()
        .into_iter()
        .filter(|(name, _)| !matches!(*name, "token" | "action"))
        .map(|(name, value)| view! { <input type="hidden" name=name value=value.to_owned()/> })
        .collect_view();
    document(
        stylesheet,
        "Signed out: your text is kept",
        view! {
            <h1>"You were signed out"</h1>
            <p>"Your session ended, so nothing was saved. Your text is on this page:"</p>
            <ol>
                <li><a href=paths::DESK_SIGN_IN target="_blank">"Sign in again"</a>" (in a new tab)."</li>
                <li>"Come back to this tab and take your text back to the editor."</li>
            </ol>
            <form method="post" action=action.to_owned() class="desk-form">
                {hidden}
                <button type="submit" name="action" value="preview">"Back to the editor with my text"</button>
            </form>
            <label for="kept-text">"Your text, to copy if you prefer"</label>
            <textarea id="kept-text" rows="12" readonly>{textarea_text(form.markdown.clone())}</textarea>
        },
    )
}

/// The article page's story as readers will see it, in the readers' stylesheet, marked as a
/// preview (a desk page: never cached, never indexed).
pub fn page_preview(stylesheet: &'static str, article: app::articles::Article) -> Html<String> {
    let head = crate::html_page::PageHead {
        title: crate::html_page::title(&format!("Preview: {}", article.card.title)),
        stylesheet,
        own_stylesheet: None,
        script: None,
        body_class: "",
        main_class: "",
    };
    let body = view! {
        <p class="search-status" role="status" id="page-preview-note">
            "Preview, not public: the story as readers will see it once it is out. Nothing was saved; close this tab to go back to the editor."
        </p>
        <app::articles::StoryText article/>
    };
    Html(crate::html_page::render(head, body))
}
