mod comments;
mod helpers;
mod newsletter;
mod pages;
mod seeding;
mod smtp;
