-- wrk script: signed-in profile views, each request signed once with its own nonce.
-- scripts/bench-wrk.sh writes the session file (token and pre-signed requests) first;
-- threads take interleaved requests so no nonce is sent twice.
local session = dofile(os.getenv("RAMPART_WRK_SESSION"))
local threads = 0
local index, stride = 0, 1

setup = function(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

init = function(args)
  index = wrk.thread:get("offset")
  stride = tonumber(os.getenv("RAMPART_WRK_THREADS") or "1")
end

request = function()
  local r = session.requests[(index % #session.requests) + 1]
  index = index + stride
  return wrk.format("GET", r[1], {
    ["Authorization"] = "Bearer " .. session.token,
    ["Rampart-Timestamp"] = r[2], ["Rampart-Nonce"] = r[3], ["Rampart-Signature"] = r[4],
  })
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx or socket errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
