mod comments;
mod helpers;
mod pages;
mod publishing;
mod seeding;
