-- wrk script: every request posts a distinct comment as the hydrated page does.
-- Used by the harness (`make bench`); by hand, against a server with flood control off:
--   COMMENT_FLOOD_SECONDS=0 target/release/server &
--   BENCH_ARTICLE=harbour-bridge-reopens wrk -t2 -c32 -d10s -s bench/post-comments.lua http://127.0.0.1:3000
-- `id` is a global: setup() runs in the main Lua state and hands each thread its own.
next_id = 0
id = 0
local article = os.getenv("BENCH_ARTICLE") or "harbour-bridge-reopens"

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
end

local counter = 0
local run = os.time() -- distinct bodies across runs too (the same text twice is a 409)
function request()
  counter = counter + 1
  local body = "article=" .. article .. "&comment=Load+test+comment+" .. run .. "-" .. id .. "-" .. counter
    .. "&author=Load+Tester&email=load%40example.org"
  return wrk.format("POST", "/api/comments/post", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
  }, body)
end
