-- As signed-requests.lua, and prints the status and start of the body of the first five
-- non-200 answers per thread (RAMPART_WRK_SCRIPT=bench/wrk/signed-requests-statuses.lua;
-- a response callback slows wrk itself, so it is not the default).
-- wrk script: signed-in requests (profile views, search pages, connection lists), each
-- signed once with its own nonce.
-- bench/wrk/prepare_session.py writes the session file first: the bearer token on the
-- first line, then one pre-signed request per line (path, timestamp, nonce, signature,
-- tab-separated). Threads take interleaved requests so no nonce is sent twice.
local token
local requests = {}
local lines = io.lines(os.getenv("RAMPART_WRK_SESSION"))
token = lines()
for line in lines do
  local path, stamp, nonce, signature = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)")
  if path then requests[#requests + 1] = { path, stamp, nonce, signature } end
end

local threads = 0
local index, stride = 0, 1

setup = function(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

init = function(args)
  -- RAMPART_WRK_START: where in the file this run begins (a warm-up run uses lines the
  -- measured run does not reach, so no nonce is sent twice).
  index = wrk.thread:get("offset") + tonumber(os.getenv("RAMPART_WRK_START") or "0")
  stride = tonumber(os.getenv("RAMPART_WRK_THREADS") or "1")
end

request = function()
  local r = requests[(index % #requests) + 1]
  index = index + stride
  return wrk.format("GET", r[1], {
    ["Authorization"] = "Bearer " .. token,
    ["Rampart-Timestamp"] = r[2], ["Rampart-Nonce"] = r[3], ["Rampart-Signature"] = r[4],
  })
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx or socket errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
local shown = 0
response = function(status, headers, body)
  if status ~= 200 and shown < 5 then
    shown = shown + 1
    io.write("STATUS " .. status .. " " .. string.sub(body or "", 1, 200) .. "\n")
  end
end
