mod helpers;
mod pages;
mod seeding;
