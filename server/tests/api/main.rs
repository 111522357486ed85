mod comments;
mod headers;
mod helpers;
mod newsletter;
mod pages;
mod seeding;
mod smtp;
