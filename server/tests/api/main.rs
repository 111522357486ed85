mod comments;
mod discovery;
mod helpers;
mod pages;
mod seeding;
