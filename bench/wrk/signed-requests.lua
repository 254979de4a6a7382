-- wrk script: signed-in requests (profile views, search pages, connection lists), each
-- signed once with its own nonce.
-- bench/wrk/prepare_session.py writes the session file first: the bearer token on the
-- first line, then one pre-signed request per line (path, timestamp, nonce, signature,
-- tab-separated).
--
-- A run uses the lines [RAMPART_WRK_START, RAMPART_WRK_END) of the file (the warm-up and
-- the measured run get ranges of their own); thread k of n sends lines START+k, START+k+n,
-- ... so no nonce is sent twice. A thread that uses up its lines never wraps around to the
-- start (an earlier version did, and the server rightly answered the repeated nonces
-- `401 signature_replayed`): it repeats its last line, and done() says so, so that the
-- run's figure is known to be void.
local path_of, token = os.getenv("RAMPART_WRK_SESSION"), nil
local requests = {}
local index, last = 1, nil
exhausted = 0 -- a global: done() reads it from each thread

local threads = {}
setup = function(thread)
  thread:set("offset", #threads)
  threads[#threads + 1] = thread
end

init = function(args)
  local offset = wrk.thread:get("offset")
  local stride = tonumber(os.getenv("RAMPART_WRK_THREADS") or "1")
  local first = tonumber(os.getenv("RAMPART_WRK_START") or "0")
  local stop = tonumber(os.getenv("RAMPART_WRK_END") or "1000000000")
  local lines = io.lines(path_of)
  token = lines()
  local n = 0
  for line in lines do
    if n >= stop then break end
    if n >= first and (n - first) % stride == offset then
      local path, stamp, nonce, signature = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)")
      if path then requests[#requests + 1] = { path, stamp, nonce, signature } end
    end
    n = n + 1
  end
end

request = function()
  local r = requests[index]
  if r then
    index = index + 1
    last = r
  else
    exhausted = exhausted + 1
    r = last or { "/", "0", "0", "0" }
  end
  return wrk.format("GET", r[1], {
    ["Authorization"] = "Bearer " .. token,
    ["Rampart-Timestamp"] = r[2], ["Rampart-Nonce"] = r[3], ["Rampart-Signature"] = r[4],
  })
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx or socket errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  local repeated = 0
  for _, thread in ipairs(threads) do repeated = repeated + (thread:get("exhausted") or 0) end
  if repeated > 0 then
    io.write(string.format("EXHAUSTED: %d requests repeated a nonce (the signed lines ran out): this run's figure is void; sign more lines\n", repeated))
  end
end
