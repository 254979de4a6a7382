-- wrk script: signed-in profile views, cycling over profile IDs.
-- scripts/bench-wrk.sh writes bench/wrk/.session.lua (token and IDs) before running wrk.
local session = dofile(os.getenv("RAMPART_WRK_SESSION"))
local index = 0

request = function()
  index = index + 1
  local id = session.ids[(index % #session.ids) + 1]
  return wrk.format("GET", "/api/v1/profiles/" .. id, { ["Authorization"] = "Bearer " .. session.token })
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx or socket errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
