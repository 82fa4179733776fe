-- signed.lua - wrk script: each request is sent as the next of many
-- signed-in readers (a Cookie header per line of the file named by the
-- environment variable BENCH_SESSIONS), so that a page shared between
-- readers is measured as readers meet it, not one reader's page again.
-- Also reports like report.lua (it is loaded from beside this file).
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "report.lua")

local cookies = {}
for line in io.lines(os.getenv("BENCH_SESSIONS")) do
	if #line > 0 then cookies[#cookies + 1] = line end
end
local n = 0

init = function(args)
	-- Threads start at different readers.
	n = math.random(#cookies)
end

request = function()
	n = n % #cookies + 1
	return wrk.format(nil, nil, {Cookie = cookies[n]})
end
