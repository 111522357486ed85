mod comments;
mod headers;
mod helpers;
mod newsletter;
mod pages;
mod publishing;
mod seeding;
mod smtp;
