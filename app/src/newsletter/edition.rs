//! (server) What goes out to subscribers: the weekly edition (the stories published since the
//! previous one) or a single story, and when the edition is due.
//!
//! A send's text is composed once, with the recipient's unsubscribe link left as a placeholder
//! that the mailer fills per recipient: 100,000 mails share one stored text.

use chrono::{DateTime, Datelike, Days, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::core::{SiteUrl, SITE_NAME};

/// Stands for the recipient's own unsubscribe link in a stored send. Control characters never
/// survive into a story's text (see [`clean`]), so a story cannot contain it.
pub const UNSUBSCRIBE_SLOT: &str = "\u{1a}unsubscribe\u{1a}";

/// A story as the newsletter shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditionStory {
    pub title: String,
    pub summary: String,
    pub section: String,
    /// Absolute link to the article.
    pub url: String,
    /// Absolute link to its picture, when it has one.
    pub image: Option<String>,
}

/// A send's subject and both bodies, with [`UNSUBSCRIBE_SLOT`] where each recipient's link goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Newsletter {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Newsletter {
    /// The weekly round-up. `None` when nothing was published: no edition is sent then.
    pub fn edition(stories: &[EditionStory], site: &SiteUrl, now: DateTime<Utc>) -> Option<Newsletter> {
        let lead = stories.first()?;
        let date = now.format("%-d %B %Y");
        let subject = clean(&format!("{SITE_NAME}, week of {date}: {}", lead.title));
        let intro = match stories.len() {
            1 => "One story from this week.".to_owned(),
            n => format!("{n} stories from this week."),
        };
        Some(compose(subject, &intro, stories, site))
    }

    /// One story sent on its own (breaking news, a big investigation).
    pub fn single(story: &EditionStory, site: &SiteUrl) -> Newsletter {
        let subject = clean(&format!("{SITE_NAME}: {}", story.title));
        compose(subject, "A story we think you should not miss.", std::slice::from_ref(story), site)
    }

    /// The bodies for one recipient.
    pub fn for_recipient(&self, unsubscribe_url: &str) -> (String, String) {
        (
            self.text.replace(UNSUBSCRIBE_SLOT, unsubscribe_url),
            self.html.replace(UNSUBSCRIBE_SLOT, &attr(unsubscribe_url)),
        )
    }
}

fn compose(subject: String, intro: &str, stories: &[EditionStory], site: &SiteUrl) -> Newsletter {
    let home = site.join("/");
    let mut text = format!("{SITE_NAME}\n\n{intro}\n\n");
    for story in stories {
        text.push_str(&format!(
            "{section}: {title}\n{summary}\nRead it: {url}\n\n",
            section = clean(&story.section).to_uppercase(),
            title = clean(&story.title),
            summary = clean(&story.summary),
            url = story.url,
        ));
    }
    text.push_str(&format!(
        "More local news every day at {home}\n\n— {SITE_NAME}\n\n\
         You get this because you subscribed. Unsubscribe with one click: {UNSUBSCRIBE_SLOT}\n"
    ));

    let mut items = String::new();
    for story in stories {
        let picture = story.image.as_deref().map_or(String::new(), |src| {
            format!(
                "<a href=\"{url}\"><img src=\"{src}\" alt=\"\" width=\"560\" \
                 style=\"display:block;width:100%;max-width:560px;height:auto;border:0;margin:0 0 8px\"></a>",
                url = attr(&story.url),
                src = attr(src),
            )
        });
        items.push_str(&format!(
            "<div class=\"story\">{picture}\
             <p class=\"section\">{section}</p>\
             <h2><a href=\"{url}\">{title}</a></h2>\
             <p>{summary}</p></div>",
            section = html(&clean(&story.section)),
            url = attr(&story.url),
            title = html(&clean(&story.title)),
            summary = html(&clean(&story.summary)),
        ));
    }
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\"><meta name=\"supported-color-schemes\" content=\"light dark\">\
         <title>{title}</title><style>\
         body{{margin:0;padding:16px;background:#fff;color:#1a1a1a;font-family:Georgia,serif;line-height:1.5}}\
         .wrap{{max-width:560px;margin:auto}} a{{color:#0b4f8a}} h2{{font-size:1.25em;margin:0 0 4px}}\
         .section{{font:bold 0.75em sans-serif;letter-spacing:.05em;text-transform:uppercase;margin:0;color:#8a1c1c}}\
         .story{{padding:12px 0;border-top:1px solid #ddd}} .small{{font-size:0.85em;color:#555}}\
         @media (prefers-color-scheme:dark){{body{{background:#121212;color:#e8e8e8}} a{{color:#8cc4ff}}\
         .section{{color:#ff9e9e}} .story{{border-color:#333}} .small{{color:#aaa}}}}\
         </style></head><body><div class=\"wrap\">\
         <p><a href=\"{home}\"><strong>{SITE_NAME}</strong></a></p><p>{intro}</p>{items}\
         <p class=\"small\">More local news every day at <a href=\"{home}\">{home_text}</a>.</p>\
         <p class=\"small\">You get this because you subscribed. \
         <a href=\"{UNSUBSCRIBE_SLOT}\">Unsubscribe</a> with one click.</p>\
         </div></body></html>",
        title = html(&subject),
        home = attr(&home),
        home_text = html(&home),
        intro = html(intro),
    );
    Newsletter { subject, text, html }
}

/// Story text without control characters (line breaks become spaces).
fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
}

fn html(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

fn attr(text: &str) -> String {
    html_escape::encode_double_quoted_attribute(text).into_owned()
}

/// When the weekly edition goes out: `NEWSLETTER_SCHEDULE` ("fri 07:00") in
/// `NEWSLETTER_TIMEZONE` (an IANA name, "UTC" by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub weekday: Weekday,
    pub at: NaiveTime,
    pub zone: Tz,
}

impl Default for Schedule {
    fn default() -> Schedule {
        Schedule { weekday: Weekday::Fri, at: NaiveTime::from_hms_opt(7, 0, 0).expect("a time"), zone: Tz::UTC }
    }
}

impl Schedule {
    /// "fri 07:00", "Friday 7:00"; the zone separately.
    pub fn parse(schedule: &str, zone: &str) -> Result<Schedule, String> {
        let zone: Tz = zone.trim().parse().map_err(|_| {
            format!("NEWSLETTER_TIMEZONE={zone:?} is not a time zone name such as UTC or Europe/London")
        })?;
        let refuse = || format!("NEWSLETTER_SCHEDULE={schedule:?} is not a weekday and a time such as \"fri 07:00\"");
        let (day, time) = schedule.trim().split_once(char::is_whitespace).ok_or_else(refuse)?;
        let weekday: Weekday = day.trim().parse().map_err(|_| refuse())?;
        let at = NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| refuse())?;
        Ok(Schedule { weekday, at, zone })
    }

    /// The moment this week's edition is due (weeks run Monday to Sunday in the schedule's zone).
    pub fn this_week(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let local = now.with_timezone(&self.zone).date_naive();
        let monday = local - Days::new(u64::from(local.weekday().num_days_from_monday()));
        let day = monday + Days::new(u64::from(self.weekday.num_days_from_monday()));
        // A time skipped by a clock change falls back to the earliest valid reading after it.
        let at = day.and_time(self.at);
        self.zone
            .from_local_datetime(&at)
            .earliest()
            .or_else(|| self.zone.from_local_datetime(&(at + chrono::Duration::hours(1))).earliest())
            .map_or(now, |t| t.with_timezone(&Utc))
    }

    /// This week's edition is due (it goes out at most once: see [`edition_key`]).
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        now >= self.this_week(now)
    }

    /// The key that makes each week's edition a single send: its ISO week in the schedule's zone.
    pub fn edition_key(&self, now: DateTime<Utc>) -> String {
        let week = now.with_timezone(&self.zone).iso_week();
        format!("edition:{}-W{:02}", week.year(), week.week())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteUrl {
        SiteUrl::parse("https://news.example.org").unwrap()
    }

    fn story(title: &str) -> EditionStory {
        EditionStory {
            title: title.into(),
            summary: "A summary with <b>markup</b> & an ampersand.".into(),
            section: "Town".into(),
            url: format!("https://news.example.org/article/{}", title.to_lowercase().replace(' ', "-")),
            image: None,
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn no_stories_means_no_edition() {
        assert_eq!(Newsletter::edition(&[], &site(), Utc::now()), None);
    }

    #[test]
    fn each_recipient_gets_their_own_link_and_story_text_is_escaped() {
        let mut hostile = story("Bridge <script>alert(1)</script> reopens");
        hostile.title.push_str(UNSUBSCRIBE_SLOT);
        let letter = Newsletter::edition(&[hostile, story("Market day")], &site(), at("2026-12-04T07:00:00Z")).unwrap();
        assert!(letter.subject.contains("week of 4 December 2026"));
        let (text, html) = letter.for_recipient("https://news.example.org/newsletter/unsubscribe?token=a&b");
        assert_eq!(text.matches("unsubscribe?token=a&b").count(), 1, "{text}");
        assert_eq!(html.matches("unsubscribe?token=a&amp;b").count(), 1);
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
        assert!(html.contains("&lt;b&gt;markup&lt;/b&gt; &amp; an ampersand"));
        assert!(html.contains("prefers-color-scheme:dark"));
        assert!(!html.contains("<img"), "no picture, no image, and never a tracking pixel");
    }

    #[test]
    fn schedule_parses_and_names_the_variable_when_wrong() {
        let s = Schedule::parse("Friday 07:00", "Europe/London").unwrap();
        assert_eq!((s.weekday, s.at.to_string().as_str()), (Weekday::Fri, "07:00:00"));
        assert!(Schedule::parse("someday 7", "UTC").unwrap_err().contains("NEWSLETTER_SCHEDULE"));
        assert!(Schedule::parse("fri 07:00", "Mars/Olympus").unwrap_err().contains("NEWSLETTER_TIMEZONE"));
    }

    #[test]
    fn the_edition_is_due_from_its_time_until_the_week_ends_and_keyed_by_week() {
        let s = Schedule::parse("fri 07:00", "Europe/Berlin").unwrap();
        // 07:00 in Berlin is 06:00 UTC in December.
        assert!(!s.is_due(at("2026-12-04T05:59:59Z")));
        assert!(s.is_due(at("2026-12-04T06:00:00Z")));
        assert!(s.is_due(at("2026-12-06T22:00:00Z")), "Sunday evening, still this week");
        assert!(!s.is_due(at("2026-12-07T10:00:00Z")), "Monday: next week's is not due yet");
        assert_eq!(s.edition_key(at("2026-12-04T06:00:00Z")), "edition:2026-W49");
        assert_eq!(s.edition_key(at("2026-12-06T23:30:00Z")), "edition:2026-W50", "already Monday in Berlin");
    }
}
