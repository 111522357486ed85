//! (server) The audit log: every sign-in (and refusal) and every action taken in the desk.

use sqlx::FromRow;

use crate::core::Timestamp;
use crate::db::Db;

/// What happened. Stored by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    SignedIn,
    SignInFailed,
    SignInLimited,
    SignedOut,
    SignedOutEverywhere,
    CommentsApproved,
    CommentsUnapproved,
    CommentsMarkedSpam,
    CommentsDeleted,
    BannedEmail,
    BannedAddress,
    BanLifted,
    StaffReplied,
    CommentsTrashed,
    CommentsRestored,
    TwoStepOn,
    TwoStepOff,
    RecoveryCodesRenewed,
    PasswordChanged,
    StaffAdded,
    StaffChanged,
    StorySaved,
    StoryPublished,
    StoryScheduled,
    StoryUnpublished,
    StoryDeleted,
    StoryRestored,
    /// The scheduler, not a person: a scheduled story went out on time.
    StoryReleased,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignedIn => "signed in",
            Action::SignInFailed => "sign-in failed",
            Action::SignInLimited => "sign-in refused: too many failures",
            Action::SignedOut => "signed out",
            Action::SignedOutEverywhere => "signed out everywhere",
            Action::CommentsApproved => "approved comments",
            Action::CommentsUnapproved => "unapproved comments",
            Action::CommentsMarkedSpam => "marked comments as spam",
            Action::CommentsDeleted => "deleted comments forever",
            Action::BannedEmail => "banned the e-mail addresses of comments",
            Action::BannedAddress => "banned the client addresses of comments",
            Action::BanLifted => "lifted a ban",
            Action::StaffReplied => "replied to a comment",
            Action::CommentsTrashed => "moved comments to the trash",
            Action::CommentsRestored => "restored comments from the trash",
            Action::TwoStepOn => "turned two-step sign-in on",
            Action::TwoStepOff => "turned two-step sign-in off",
            Action::RecoveryCodesRenewed => "made new recovery codes",
            Action::PasswordChanged => "changed a password",
            Action::StaffAdded => "added a staff account",
            Action::StaffChanged => "changed a staff account",
            Action::StorySaved => "saved a story",
            Action::StoryPublished => "published a story",
            Action::StoryScheduled => "scheduled a story",
            Action::StoryUnpublished => "unpublished a story",
            Action::StoryDeleted => "deleted a story",
            Action::StoryRestored => "restored a story's earlier revision",
            Action::StoryReleased => "published a scheduled story (on schedule)",
        }
    }
}

/// One line of the log, as an admin reads it.
#[derive(Clone, Debug, FromRow)]
pub struct Entry {
    pub at: Timestamp,
    /// The account's name, when the line is about an account that exists.
    pub staff_name: Option<String>,
    pub action: String,
    pub detail: String,
}

pub async fn record(db: &Db, staff_id: Option<i64>, action: Action, detail: &str, ip_hash: &str) -> sqlx::Result<()> {
    let mut tx = db.write().await?;
    crate::on!(tx, |ex| sqlx::query(
        "INSERT INTO audit_log (at, staff_id, action, detail, ip_hash) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(Timestamp::now())
    .bind(staff_id)
    .bind(action.as_str())
    .bind(detail)
    .bind(ip_hash)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    tx.commit().await
}

/// The newest lines first.
pub async fn recent(db: &Db, limit: i64) -> sqlx::Result<Vec<Entry>> {
    crate::on!(db, |ex| sqlx::query_as(
        "SELECT a.at, s.name AS staff_name, a.action, a.detail FROM audit_log a \
         LEFT JOIN staff s ON s.id = a.staff_id ORDER BY a.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(ex)
    .await)
}
