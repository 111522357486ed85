//! `server users …`: staff accounts. The first admin is made here (nobody can sign in to make
//! one); later ones too, or in the desk by an admin.

use std::io::{BufRead, IsTerminal};

use anyhow::{bail, Context};
use app::core::email::Email;
use app::staff::password::NewPassword;
use app::staff::second_factor;
use app::staff::store::{self, Change, StaffMember};
use app::staff::Role;
use clap::{Args, Subcommand};

use crate::config::DatabaseSettings;

#[derive(Args, Debug)]
pub struct UsersArgs {
    /// What to do (without one: list the accounts)
    #[command(subcommand)]
    pub action: Option<Users>,
    #[command(flatten)]
    pub database: DatabaseSettings,
}

#[derive(Subcommand, Debug)]
pub enum Users {
    /// List the staff accounts
    List,
    /// Make a staff account; asks for its password twice on a terminal, else reads one line from stdin
    Add {
        /// The address they sign in with
        #[arg(long)]
        email: String,
        /// Their name as readers and colleagues see it
        #[arg(long)]
        name: String,
        /// admin (everything), editor (all articles and comments), author (own articles), moderator (comments)
        #[arg(long, value_parser = role)]
        role: Role,
    },
    /// Change an account's role
    Role {
        #[arg(value_name = "EMAIL")]
        email: String,
        /// admin, editor, author or moderator
        #[arg(value_parser = role)]
        role: Role,
    },
    /// Stop an account from signing in (its work stays)
    Disable {
        #[arg(value_name = "EMAIL")]
        email: String,
    },
    /// Let a disabled account sign in again
    Enable {
        #[arg(value_name = "EMAIL")]
        email: String,
    },
    /// Turn off two-step sign-in for someone who lost both phone and recovery codes
    TwoStepOff {
        #[arg(value_name = "EMAIL")]
        email: String,
    },
    /// Set a new password; asked twice on a terminal, else one line from stdin
    Password {
        #[arg(value_name = "EMAIL")]
        email: String,
    },
}

fn role(v: &str) -> Result<Role, String> {
    Role::parse(v).ok_or_else(|| format!("{v:?} is not a role: admin, editor, author or moderator"))
}

pub async fn run(args: UsersArgs) -> anyhow::Result<()> {
    let db = args.database.open().await?;
    match args.action.unwrap_or(Users::List) {
        Users::List => {
            let staff = store::list(&db).await?;
            for member in &staff {
                println!("{}", line(member));
            }
            println!("{} staff accounts", staff.len());
        }
        Users::Add { email, name, role } => {
            let email = Email::parse(&email).map_err(anyhow::Error::msg)?;
            let name = store::staff_name(&name).map_err(anyhow::Error::msg)?;
            if store::by_email(&db, email.as_str()).await?.is_some() {
                bail!("there is already a staff account for {email}");
            }
            let password = read_password(&[email.as_str(), &name])?;
            let hash = tokio::task::spawn_blocking(move || password.hash()).await?;
            store::add(&db, &email, &name, role, &hash).await?;
            println!("{name} <{email}> can now sign in as {role}");
        }
        Users::Role { email, role } => {
            let member = store::change(&db, &email, Change::Role(role)).await?;
            println!("{}", line(&member));
        }
        Users::Disable { email } => {
            let member = store::change(&db, &email, Change::Disabled(true)).await?;
            println!("{}", line(&member));
        }
        Users::Enable { email } => {
            let member = store::change(&db, &email, Change::Disabled(false)).await?;
            println!("{}", line(&member));
        }
        Users::TwoStepOff { email } => {
            let member = store::by_email(&db, &email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no staff account has the address {}", email.trim()))?;
            second_factor::turn_off(&db, member.id).await?;
            println!("{} signs in with a password alone until they set up two-step sign-in again", member.email);
        }
        Users::Password { email } => {
            let member = store::by_email(&db, &email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no staff account has the address {}", email.trim()))?;
            let password = read_password(&[member.email.as_str(), &member.name])?;
            let hash = tokio::task::spawn_blocking(move || password.hash()).await?;
            store::change(&db, member.email.as_str(), Change::PasswordHash(&hash)).await?;
            println!("the password of {} is changed", member.email);
        }
    }
    Ok(())
}

fn line(member: &StaffMember) -> String {
    let state = match &member.disabled_at {
        Some(at) => format!("disabled since {}", at.stored()),
        None => "active".to_owned(),
    };
    let state = if member.two_step { format!("{state}, two-step") } else { state };
    format!("{:>4}  {:<9}  {:<30}  {}  ({state})", member.id, member.role, member.email.as_str(), member.name)
}

/// A new password: typed twice without echo on a terminal, or one line from stdin (scripts).
/// `names` (the account's address and name) may not be what it is made of.
fn read_password(names: &[&str]) -> anyhow::Result<NewPassword> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
        let password = NewPassword::parse(&first, names).map_err(anyhow::Error::msg)?;
        if rpassword::prompt_password("The same password again: ")? != first {
            bail!("the two passwords differ; nothing was changed");
        }
        Ok(password)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
        let typed = line.strip_suffix('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).unwrap_or(&line);
        NewPassword::parse(typed, names).map_err(anyhow::Error::msg)
    }
}
