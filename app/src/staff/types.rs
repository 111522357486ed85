//! What a staff account is allowed to do.

use serde::{Deserialize, Serialize};

/// A staff member's role. Each is checked on the server in every admin function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum Role {
    /// Everything, staff accounts included.
    Admin,
    /// Every article and every comment.
    Editor,
    /// Their own articles.
    Author,
    /// Comments only.
    Moderator,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Editor, Role::Author, Role::Moderator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Author => "author",
            Role::Moderator => "moderator",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name.trim().to_ascii_lowercase())
    }

    /// Whether this role may moderate readers' comments.
    pub fn moderates_comments(self) -> bool {
        matches!(self, Role::Admin | Role::Editor | Role::Moderator)
    }

    /// Whether this role may write stories in the desk (authors only their own).
    pub fn writes_stories(self) -> bool {
        matches!(self, Role::Admin | Role::Editor | Role::Author)
    }

    /// Whether this role may see and change every story, and publish, schedule, unpublish and
    /// delete them. Authors write drafts of their own; an editor puts them out.
    pub fn edits_stories(self) -> bool {
        matches!(self, Role::Admin | Role::Editor)
    }

    /// Whether this role may manage staff accounts.
    pub fn manages_staff(self) -> bool {
        self == Role::Admin
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_by_name_and_only_some_moderate() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse(" Editor "), Some(Role::Editor));
        assert_eq!(Role::parse("owner"), None);
        assert!(!Role::Author.moderates_comments());
        assert!(Role::Moderator.moderates_comments() && !Role::Moderator.manages_staff());
    }
}
