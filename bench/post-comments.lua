-- wrk script: every request posts a distinct comment as the hydrated page does.
--   COMMENT_FLOOD_SECONDS=0 target/release/server &
--   wrk -t2 -c32 -d10s -s bench/post-comments.lua http://127.0.0.1:3000
local threads = {}
local id = 0

function setup(thread)
  id = id + 1
  thread:set("id", id)
  table.insert(threads, thread)
end

local counter = 0
function request()
  counter = counter + 1
  local body = "article=harbour-bridge-reopens&comment=Load+test+comment+" .. id .. "-" .. counter
    .. "&author=Load+Tester&email=load%40example.org"
  return wrk.format("POST", "/api/comments/post", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
  }, body)
end
