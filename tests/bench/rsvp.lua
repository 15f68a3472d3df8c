-- rsvp.lua: wrk asks for the page to answer, or posts an answer, for
-- one member after another.  Arguments: the file of paths (one member's
-- /rsvp/... link a line) and GET or POST.
local paths, method, i = {}, "POST", 0
local bodies = { "answer=yes", "answer=maybe&note=Running+late",
	"answer=no&note=Away+that+week" }
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local threads = 0

function setup(thread)
	thread:set("id", threads)
	threads = threads + 1
end

function init(args)
	for line in io.lines(args[1]) do
		paths[#paths + 1] = line
	end
	method = args[2] or "POST"
	-- Each thread starts at its own place in the list.
	i = (id or 0) * 7919 % #paths
end

function request()
	i = i % #paths + 1
	if method == "GET" then
		return wrk.format("GET", paths[i])
	end
	return wrk.format("POST", paths[i], headers, bodies[i % 3 + 1])
end
