mod comments;
mod helpers;
mod pages;
mod seeding;
