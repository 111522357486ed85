mod comments;
mod helpers;
mod newsletter;
mod pages;
mod publishing;
mod seeding;
mod smtp;
